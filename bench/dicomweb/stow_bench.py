# STOW-RS throughput: POST the files in batches of 50 over one keep-alive connection.
import http.client, json, os, re, sys, time, glob
port=int(sys.argv[1]); token=sys.argv[2]; files=sorted(glob.glob(sys.argv[3]+'/*.dcm')); batch=int(sys.argv[4]) if len(sys.argv)>4 else 50
bodies=[]
for k in range(0,len(files),batch):
    b='benchbnd'
    parts=[]
    for f in files[k:k+batch]:
        parts.append(b'--'+b.encode()+b'\r\nContent-Type: application/dicom\r\n\r\n'+open(f,'rb').read()+b'\r\n')
    bodies.append(b''.join(parts)+b'--'+b.encode()+b'--\r\n')
total=sum(len(x) for x in bodies)
c=http.client.HTTPConnection('127.0.0.1',port)
t=time.time()
for body in bodies:
    c.request('POST','/dicom-web/studies',body,{'Authorization':'Bearer '+token,'Content-Type':'multipart/related; type="application/dicom"; boundary=benchbnd'})
    r=c.getresponse(); r.read()
    assert r.status==200, r.status
dt=time.time()-t
print(f'{len(files)} instances in {dt:.2f}s: {len(files)/dt:.0f} instances/s, {total/dt/1e6:.0f} MB/s')
