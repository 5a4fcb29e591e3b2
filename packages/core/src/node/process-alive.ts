/**
 * Whether a process with this pid exists on this host: what decides that a lease, a lock or a
 * temporary file was left by a process that is gone. Only `ESRCH` means gone; `EPERM` (a
 * process of another user) and any other answer count as alive, so nothing a live process may
 * still own is ever taken over or deleted.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
