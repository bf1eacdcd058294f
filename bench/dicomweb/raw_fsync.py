# The fair disk bound: one file per instance, written and fsynced.
import os, sys, time
d=sys.argv[1] if len(sys.argv) > 1 else '/tmp/medai-raw-fsync'; os.makedirs(d, exist_ok=True)
data=os.urandom(524288+1000); n=200
t=time.time()
for i in range(n):
    fd=os.open(f'{d}/{i}', os.O_WRONLY|os.O_CREAT|os.O_TRUNC, 0o640); os.write(fd,data); os.fsync(fd); os.close(fd)
dt=time.time()-t
print(f'raw one-file-with-fsync: {n/dt:.0f} files/s {n*len(data)/dt/1e6:.0f} MB/s')
