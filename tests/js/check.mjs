// Drives a khala node with @polkadot/api exactly as a wallet would, and prints one JSON object.
// Usage: node check.mjs ws://127.0.0.1:PORT [blockHash ...]
// With block hashes, it also decodes System.Events at each of them through the metadata.
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';

const [url, ...blocks] = process.argv.slice(2);
const AMOUNT = 1_234_567_890n;

function fail(message) {
  console.error(message);
  process.exit(1);
}

const timer = setTimeout(() => fail('timed out after 240 s'), 240_000);
const api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true });
const keyring = new Keyring({ type: 'sr25519', ss58Format: 30 });
const alice = keyring.addFromUri('//Alice');
const bob = keyring.addFromUri('//Bob');

const before = (await api.query.system.account(bob.address)).data.free.toBigInt();
const events = await new Promise((resolve, reject) => {
  api.tx.balances
    .transferKeepAlive(bob.address, AMOUNT)
    .signAndSend(alice, ({ status, events, dispatchError }) => {
      if (dispatchError) reject(new Error(dispatchError.toString()));
      if (status.isFinalized) {
        resolve({ block: status.asFinalized.toHex(), events });
      }
    })
    .catch(reject);
});
const after = (await api.query.system.account(bob.address)).data.free.toBigInt();

const decoded = {};
for (const hash of blocks) {
  const records = await api.query.system.events.at(hash);
  decoded[hash] = records.map(({ event }) => `${event.section}.${event.method}`);
}

// Every module error, as a wallet shows a failed call: found by (module index, error index).
const errors = [];
for (const pallet of api.runtimeMetadata.asLatest.pallets) {
  if (pallet.errors.isNone) continue;
  const type = api.registry.lookup.getSiType(pallet.errors.unwrap().type);
  for (const variant of type.def.asVariant.variants) {
    const error = `0x${variant.index.toNumber().toString(16).padStart(2, '0')}000000`;
    const failure = api.createType('DispatchError', { Module: { index: pallet.index, error } });
    const meta = api.registry.findMetaError(failure.asModule);
    errors.push([pallet.index.toNumber(), variant.index.toNumber(), `${meta.section}.${meta.name}`]);
  }
}

const result = {
  errors,
  specName: api.runtimeVersion.specName.toString(),
  specVersion: api.runtimeVersion.specVersion.toNumber(),
  metadataVersion: api.runtimeMetadata.version,
  pallets: api.runtimeMetadata.asLatest.pallets.map((p) => p.name.toString()),
  ss58: api.registry.chainSS58,
  bobAddress: bob.address,
  delta: (after - before).toString(),
  amount: AMOUNT.toString(),
  finalizedIn: events.block,
  transferEvents: events.events.map(({ event }) => ({
    name: `${event.section}.${event.method}`,
    data: event.data.toJSON(),
  })),
  decoded,
  hasNonceApi: typeof api.call.accountNonceApi?.accountNonce === 'function',
  aliceNonce: (await api.call.accountNonceApi.accountNonce(alice.address)).toNumber(),
};
clearTimeout(timer);
console.log(JSON.stringify(result));
await api.disconnect();
process.exit(0);
