"""Implementation of rendering; import the public API from `herald.render`."""
