"""Sudo: one root key for development chains. Only the ``dev`` preset has this module."""
