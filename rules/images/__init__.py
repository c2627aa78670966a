"""Rules about base images: FROM references, tags, digests, registries and platforms."""
