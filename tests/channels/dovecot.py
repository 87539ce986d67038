"""A real IMAP server for the mail-in tests: Dovecot from Debian, started with a private
configuration on a free loopback port (passwd-file authentication, maildir in a temporary
directory). Test mail is delivered by IMAP APPEND, as a mail server's delivery agent would."""

from __future__ import annotations

import getpass
import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from tests.deadlines.smtp import free_port

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "complaints", "mailbox-pass-1"


def _ready(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Dovecot:
    def __init__(self, root: Path):
        self.root = root
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def config(self) -> Path:
        me = getpass.getuser()
        uid, gid = os.getuid(), os.getgid()
        mail_uid, mail_gid = uid, gid
        (self.root / "mail").mkdir(parents=True, exist_ok=True)
        if uid == 0:
            # Dovecot never touches mail as root: the mail belongs to its own system user.
            account = pwd.getpwnam("dovecot")
            mail_uid, mail_gid = account.pw_uid, account.pw_gid
            os.chmod(self.root, 0o755)
            os.chown(self.root / "mail", mail_uid, mail_gid)
        group = grp.getgrgid(gid).gr_name
        login_user = "dovenull" if uid == 0 and _exists("dovenull") else me
        internal_user = "dovecot" if uid == 0 and _exists("dovecot") else me
        (self.root / "run").mkdir(exist_ok=True)
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:::::{self.root}/home/{USER}::\n")
        path = self.root / "dovecot.conf"
        path.write_text(
            f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
first_valid_gid = 1
mail_uid = {mail_uid}
mail_gid = {mail_gid}
default_internal_user = {internal_user}
default_internal_group = {group if uid != 0 else "dovecot"}
default_login_user = {login_user}
mail_location = maildir:{self.root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {self.root}/passwd
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
service auth {{
  user = {me if uid != 0 else "root"}
}}
service auth-worker {{
  user = {me if uid != 0 else "root"}
}}
"""
        )
        (self.root / "state").mkdir(exist_ok=True)
        return path

    def start(self) -> Dovecot:
        config = self.config()
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for _ in range(200):
            if _ready(self.port):
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        output = self.process.stdout.read().decode() if self.process.stdout and self.process.poll() is not None else ""
        log = (self.root / "dovecot.log").read_text() if (self.root / "dovecot.log").exists() else ""
        self.stop()
        raise RuntimeError(f"dovecot did not start: {output}\n{log}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        conn = imaplib.IMAP4("127.0.0.1", self.port)
        try:
            conn.login(USER, PASSWORD)
            typ, data = conn.append(folder, "", imaplib.Time2Internaldate(time.time()), raw)
            assert typ == "OK", data
        finally:
            conn.logout()

    def unseen(self) -> int:
        conn = imaplib.IMAP4("127.0.0.1", self.port)
        try:
            conn.login(USER, PASSWORD)
            conn.select("INBOX")
            _typ, data = conn.search(None, "UNSEEN")
            return len((data[0] or b"").split())
        finally:
            conn.logout()


def _exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def available() -> bool:
    return shutil.which(DOVECOT) is not None or Path(DOVECOT).exists()
