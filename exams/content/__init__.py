"""The content pipeline: question files in, question files out (docs/content-format.md)."""
