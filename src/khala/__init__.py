"""khala: a trustless confidential-computing cloud in the image of the Phala/Khala network.

The package is layered (see docs/architecture.md): ``primitives`` is the pure bottom layer
every other package builds on.
"""

__version__ = "0.1.0"
"""The package version; the runtime's spec_version is versioned separately."""
