"""Docker's own build checks (`docker build --check`) and what BuildKit rejects."""
