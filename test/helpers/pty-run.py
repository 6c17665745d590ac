#!/usr/bin/env python3
"""Runs a command with its stderr on a pseudo-terminal and its stdout in a file.

usage: pty-run.py COLUMNS STDOUT_FILE -- COMMAND [ARGS...]

The terminal's bytes are relayed to this script's stdout as they come (unbuffered), so a test
sees exactly what a user's terminal would get. SIGINT and SIGTERM are passed on to the command.
Exits with the command's exit code (128 + N when a signal N ended it).
"""
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios

columns = int(sys.argv[1])
stdout_file = sys.argv[2]
command = sys.argv[4:]

master, slave = os.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
with open(stdout_file, "wb") as out:
    child = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=out, stderr=slave, start_new_session=True
    )
os.close(slave)
for sig in (signal.SIGINT, signal.SIGTERM):
    signal.signal(sig, lambda s, _f: child.send_signal(s))

while True:
    try:
        ready, _, _ = select.select([master], [], [], 0.05)
    except InterruptedError:
        continue
    if not ready:
        if child.poll() is not None:
            # The command exited; drain what is left (EIO once the terminal is closed).
            ready = [master]
        else:
            continue
    try:
        data = os.read(master, 65536)
    except OSError:
        data = b""
    if not data:
        if child.poll() is not None:
            break
        continue
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()

code = child.wait()
sys.exit(128 - code if code < 0 else code)
