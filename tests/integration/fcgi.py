"""A small FastCGI client, to speak to the backend's socket without a web
server in between: for what nginx would refuse or repair before the
backend sees it (a body shorter than its Content-Length, a NUL byte in a
parameter)."""
import socket
import struct

BEGIN, ABORT, END, PARAMS, STDIN, STDOUT, STDERR = 1, 2, 3, 4, 5, 6, 7


def _record(rtype, content, req_id=1):
    out = b''
    # records hold at most 65535 bytes
    chunks = [content[i:i + 65535] for i in range(0, len(content), 65535)] or [b'']
    for c in chunks:
        pad = (8 - len(c) % 8) % 8
        out += struct.pack('!BBHHBx', 1, rtype, req_id, len(c), pad) + c + b'\0' * pad
    return out


def _nv(name, value):
    def ln(n):
        return struct.pack('!B', n) if n < 128 else struct.pack('!I', n | 0x80000000)
    return ln(len(name)) + ln(len(value)) + name + value


def request(sock_path, params, body=b'', send_body=None, timeout=10,
            end_stdin=True, timing=None):
    """Sends one request; returns (status, headers dict, body bytes, stderr).
    `send_body` (bytes) overrides what is sent on stdin, to disagree with
    CONTENT_LENGTH; with end_stdin False the stream of stdin is left open
    (a client still sending).  Reads until the end-of-request record; when
    timing is a dict, timing['answer'] gets the seconds until it came."""
    import time
    t0 = time.time()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(sock_path)
    data = _record(BEGIN, struct.pack('!HB5x', 1, 0))
    p = b''
    for k, v in params.items():
        k = k.encode() if isinstance(k, str) else k
        v = v.encode() if isinstance(v, str) else v
        p += _nv(k, v)
    data += _record(PARAMS, p) + _record(PARAMS, b'')
    payload = body if send_body is None else send_body
    if payload:
        data += _record(STDIN, payload)
    if end_stdin:
        data += _record(STDIN, b'')
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass   # the backend answered before reading everything
    out, err = b'', b''
    buf = b''
    i = 0
    done = False
    while not done:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            chunk = b''
        if not chunk:
            break
        buf += chunk
        while i + 8 <= len(buf):
            _, rtype, _, clen, pad = struct.unpack('!BBHHBx', buf[i:i + 8])
            if i + 8 + clen + pad > len(buf):
                break
            content = buf[i + 8:i + 8 + clen]
            if rtype == STDOUT:
                out += content
            elif rtype == STDERR:
                err += content
            elif rtype == END:
                done = True
            i += 8 + clen + pad
    if timing is not None:
        timing['answer'] = time.time() - t0
    s.close()
    head, _, resp_body = out.partition(b'\r\n\r\n')
    headers = {}
    status = 200
    for line in head.decode('utf-8', 'replace').split('\r\n'):
        if ':' in line:
            k, v = line.split(':', 1)
            headers[k.strip().lower()] = v.strip()
    if 'status' in headers:
        status = int(headers['status'].split()[0])
    return status, headers, resp_body, err


def base_params(path, method='GET', query='', **extra):
    p = {
        'REQUEST_METHOD': method,
        'REQUEST_URI': path + ('?' + query if query else ''),
        'QUERY_STRING': query,
        'SCRIPT_NAME': path,
        'SERVER_NAME': 'localhost',
        'SERVER_PORT': '80',
        'SERVER_PROTOCOL': 'HTTP/1.1',
        'REMOTE_ADDR': '127.0.0.1',
        'GATEWAY_INTERFACE': 'CGI/1.1',
    }
    p.update(extra)
    return p
