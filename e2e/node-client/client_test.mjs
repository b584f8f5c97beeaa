// @kubernetes/client-node against a real `lpv server`: list, create and watch
// PersistentVolumes and PersistentVolumeClaims through the kubeconfig the server writes.
// Usage: node client_test.mjs PATH/TO/lpv   (exit code 0 = pass)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as k8s from '@kubernetes/client-node';

const lpv = process.argv[2];
assert.ok(lpv, 'usage: node client_test.mjs PATH/TO/lpv');
const dataDir = mkdtempSync(join(tmpdir(), 'lpv-node-client-'));

// Starts the server; resolves with the kubeconfig path from its second line of output.
function startServer() {
  const server = spawn(lpv, ['server', '--data-dir', dataDir, '--listen', '127.0.0.1:0',
                             '--api-only'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: server.stdout });
  return new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      const m = line.match(/^lpv Kubernetes API on (\S+) \(kubeconfig (.*)\)$/);
      if (m) resolve({ server, url: m[1], kubeconfig: m[2] });
    });
    server.on('exit', (code) => reject(new Error(`lpv server exited with ${code}`)));
  });
}

// The next watch event for which `pred` holds.
function eventQueue() {
  const events = [];
  const waiters = [];
  return {
    push(type, obj) {
      events.push({ type, obj });
      for (const w of [...waiters]) w();
    },
    next(pred) {
      return new Promise((resolve) => {
        const check = () => {
          const i = events.findIndex((e) => pred(e));
          if (i < 0) return false;
          const [e] = events.splice(i, 1);
          waiters.splice(waiters.indexOf(check), 1);
          resolve(e);
          return true;
        };
        waiters.push(check);
        check();
      });
    },
  };
}

const pv = (name, node) => ({
  apiVersion: 'v1', kind: 'PersistentVolume',
  metadata: { name, labels: { made: 'by-node' } },
  spec: {
    capacity: { storage: '100Gi' }, accessModes: ['ReadWriteOnce'],
    persistentVolumeReclaimPolicy: 'Retain', storageClassName: 'local-storage',
    local: { path: '/mnt/disks/ssd1' },
    nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [
      { key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } },
  },
});

const pvc = (name) => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name },
  spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'local-storage',
          resources: { requests: { storage: '10Gi' } } },
});

async function main() {
  const { server, kubeconfig } = await startServer();
  const watches = [];
  try {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);

    const pvs = await core.listPersistentVolume();
    assert.equal(pvs.items.length, 0);
    const pvcs = await core.listNamespacedPersistentVolumeClaim({ namespace: 'default' });
    assert.equal(pvcs.items.length, 0);

    const watch = new k8s.Watch(kc);
    const pvEvents = eventQueue();
    const pvcEvents = eventQueue();
    watches.push(await watch.watch('/api/v1/persistentvolumes',
      { resourceVersion: pvs.metadata.resourceVersion },
      (type, obj) => pvEvents.push(type, obj), () => {}));
    watches.push(await watch.watch('/api/v1/namespaces/default/persistentvolumeclaims',
      { resourceVersion: pvcs.metadata.resourceVersion },
      (type, obj) => pvcEvents.push(type, obj), () => {}));

    const created = await core.createPersistentVolume({ body: pv('node-pv', 'node-1') });
    assert.equal(created.metadata.name, 'node-pv');
    assert.ok(created.metadata.uid);
    const added = await pvEvents.next((e) => e.obj.metadata.name === 'node-pv');
    assert.equal(added.type, 'ADDED');
    assert.equal(added.obj.spec.capacity.storage, '100Gi');

    const claim = await core.createNamespacedPersistentVolumeClaim(
      { namespace: 'default', body: pvc('node-claim') });
    assert.equal(claim.metadata.namespace, 'default');
    const claimAdded = await pvcEvents.next((e) => e.obj.metadata.name === 'node-claim');
    assert.equal(claimAdded.type, 'ADDED');

    // A label change arrives as MODIFIED.
    await core.patchPersistentVolume({ name: 'node-pv', body: { metadata: { labels: { seen: 'yes' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    const modified = await pvEvents.next((e) => e.type === 'MODIFIED');
    assert.equal(modified.obj.metadata.labels.seen, 'yes');

    const listed = await core.listPersistentVolume({ labelSelector: 'made=by-node' });
    assert.deepEqual(listed.items.map((i) => i.metadata.name), ['node-pv']);
    const claims = await core.listNamespacedPersistentVolumeClaim({ namespace: 'default' });
    assert.deepEqual(claims.items.map((i) => i.metadata.name), ['node-claim']);

    // Errors come back as Kubernetes Status objects.
    await assert.rejects(core.readPersistentVolume({ name: 'nope' }), (err) => {
      assert.equal(err.code, 404);
      return true;
    });

    // The pv-protection finalizer holds the volume (no controller runs with --api-only):
    // deletion marks it, and it goes when the finalizer is removed.
    await core.deletePersistentVolume({ name: 'node-pv' });
    const marked = await pvEvents.next((e) => e.type === 'MODIFIED' && e.obj.metadata.deletionTimestamp);
    assert.deepEqual(marked.obj.metadata.finalizers, ['kubernetes.io/pv-protection']);
    await core.patchPersistentVolume(
      { name: 'node-pv', body: [{ op: 'remove', path: '/metadata/finalizers' }] },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch));
    const deleted = await pvEvents.next((e) => e.type === 'DELETED');
    assert.equal(deleted.obj.metadata.name, 'node-pv');
    console.log('ok: list, create, watch (ADDED, MODIFIED, DELETED) of PVs and PVCs');
  } finally {
    for (const w of watches) w.abort();
    server.kill('SIGTERM');
  }
}

main().then(() => {
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}, (err) => {
  console.error(err);
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(1);
});
