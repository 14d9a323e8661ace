"""System's dispatch errors, each with its declared on-chain index."""

from __future__ import annotations

from khala.runtime.errors import DispatchError, ModuleErrorCode
from khala.runtime.modules.system.constants import MODULE_INDEX


class SystemErrorCode(ModuleErrorCode):
    """System error codes."""

    INVALID_SPEC_NAME = "system.invalid_spec_name", 0
    """A runtime upgrade named another chain."""
    SPEC_VERSION_NEEDS_TO_INCREASE = "system.spec_version_needs_to_increase", 1
    """A runtime upgrade did not raise spec_version."""
    FAILED_TO_EXTRACT_RUNTIME_VERSION = "system.failed_to_extract_runtime_version", 2
    """A runtime upgrade carried no version."""
    NON_DEFAULT_COMPOSITE = "system.non_default_composite", 3
    """An account has non-default data where it must not."""
    NON_ZERO_REF_COUNT = "system.non_zero_ref_count", 4
    """An account cannot be removed while other modules depend on it."""
    CALL_FILTERED = "system.call_filtered", 5
    """The call is filtered out on this chain."""


def system_error(code: SystemErrorCode, message: str) -> DispatchError:
    """Build a System dispatch error."""
    return DispatchError(code, message, module_index=MODULE_INDEX)
