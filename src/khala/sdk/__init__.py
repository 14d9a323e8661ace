"""The khala SDK: ``Client`` (sync) and ``AsyncClient`` over one transport interface.

from khala.sdk import Client, keyring
client = Client("http://127.0.0.1:9944")
receipt = client.transfer(keyring.pair("//Alice"), "5FHneW46...", 10**12, wait="finalized")
"""

from khala.sdk.async_client import AsyncClient
from khala.sdk.client import Client
from khala.sdk.errors import SdkError, SdkErrorCode
from khala.sdk.types import BlockInfo, Receipt

__all__ = ["AsyncClient", "BlockInfo", "Client", "Receipt", "SdkError", "SdkErrorCode"]
