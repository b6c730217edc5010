"""Draws one prompt the way a person sees it: runs an interactive shell in
a pseudo-terminal and prints what it drew between a marker its startup
file echoes and a sentinel ending the old prompt.

usage: activation_pty.py TIMEOUT BEGIN END COMMAND [ARG...]

Exit 0 with the prompt on stdout; exit 3 with what was seen on stderr if
the sentinel never came (the shell died, or refused to draw).
"""
import os
import pty
import re
import select
import signal
import sys
import time

timeout = float(sys.argv[1])
begin = sys.argv[2].encode()
end = sys.argv[3].encode()
argv = sys.argv[4:]

pid, fd = pty.fork()
if pid == 0:
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)

seen = b""
status = "timed out"
deadline = time.time() + timeout
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.05)
    if not ready:
        continue
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        chunk = b""
    if not chunk:
        status = "shell exited"
        break
    seen += chunk
    at = seen.find(begin)
    if at >= 0 and seen.find(end, at + len(begin)) >= 0:
        status = "ok"
        break

try:
    os.kill(pid, signal.SIGKILL)
except OSError:
    pass
os.waitpid(pid, 0)

# Terminal control sequences and the carriage returns a terminal adds are
# not part of the prompt's text.
clean = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", seen).replace(b"\r", b"")
if status == "ok":
    drawn = clean[clean.find(begin) + len(begin):]
    drawn = drawn[: drawn.find(end)]
    if drawn.startswith(b"\n"):
        drawn = drawn[1:]
    sys.stdout.buffer.write(drawn)
    sys.exit(0)
sys.stderr.buffer.write(b"activation_pty: " + status.encode() + b"; saw: " + clean[-3000:])
sys.exit(3)
