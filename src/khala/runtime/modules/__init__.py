"""Runtime modules.

Each package has the same files (constants, state, calls, events, errors, hooks) and declares
itself in ``declaration.py`` (``MODULE = RuntimeModule(...)``) for the runtime table; it touches
other modules only through their public functions.
"""
