"""Runtime modules.

Each package has the same files (constants, state, calls, events, errors, hooks) and touches
other modules only through their public functions.
"""
