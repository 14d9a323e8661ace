"""The web console: the network watched and used in a browser (``khala console``).

It reads only what any remote user may read — the node's JSON-RPC and WebSocket subscriptions
and the workers' public ``/info`` — and signs nothing with keys of its own: staking actions use
the dev keyring on dev chains (public, well-known keys) or submit an extrinsic the user signed
elsewhere.

Built with NiceGUI: its pip package ships every front-end asset it serves (Vue, Quasar,
ECharts), so the console works on machines without internet access, needs no Node.js build
step and commits no third-party JavaScript; pages are plain Python, pushed to the browser over
a WebSocket, so live updates cost no polling in the page. See ``docs/console.md`` for why it
was chosen over the alternatives.
"""
