"""The demo's stages after the registry: each writes its part of the programme through the apps' services."""
