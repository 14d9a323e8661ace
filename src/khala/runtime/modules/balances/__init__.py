"""Balances: transfers, the existential deposit, reserves and locks.

Other modules move funds only through :mod:`khala.runtime.modules.balances.currency`.
"""
