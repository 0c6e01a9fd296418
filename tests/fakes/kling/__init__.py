"""A local fake of Kling's image-to-video API."""
