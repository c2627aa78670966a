"""Rules about stages and instructions: their form, order, arguments and what they make of the image."""
