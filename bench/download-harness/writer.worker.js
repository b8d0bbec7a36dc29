let sync = null;
self.onmessage = async (e) => {
  const d = e.data;
  if (d.open !== undefined) {
    const fh = await (await navigator.storage.getDirectory()).getFileHandle('probe.bin', { create: true });
    sync = await fh.createSyncAccessHandle();
    sync.truncate(d.open);
    self.postMessage('ok');
  } else if (d.close) {
    sync.close();
    self.postMessage('ok');
  } else {
    sync.write(new Uint8Array(d.buf, d.off, d.len), { at: d.at });
  }
};
