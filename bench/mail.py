"""Outgoing email through a pluggable sender (the one true boundary tests replace)."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import Flask, current_app

EXTENSION_KEY = "bench.mail_sender"


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


class LogSender:
    """No SMTP host: write messages to the application log instead of sending them.

    In development the whole message (its links are how a developer accepts an
    invitation); in production only that a message was not sent and its subject, as the
    log holds no personal data or secrets (the address, an invitation's token).
    """

    def __init__(self, whole: bool = True) -> None:
        self.whole = whole

    def send(self, message: Message) -> None:
        if self.whole:
            current_app.logger.info(
                "Email to %s: %s\n%s", message.to, message.subject, message.body
            )
        else:
            current_app.logger.warning("Email not sent (no BENCH_SMTP_HOST): %s", message.subject)


class MemorySender:
    """Tests: keep messages in a list (email is the boundary the tests replace)."""

    def __init__(self) -> None:
        self.outbox: list[Message] = []

    def send(self, message: Message) -> None:
        self.outbox.append(message)


class SmtpSender:
    """Production: send through the SMTP relay named by BENCH_SMTP_* settings."""

    def __init__(self, host: str, port: int, sender: str, user: str, password: str) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password = user, password

    def send(self, message: Message) -> None:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email.set_content(message.body)
        with smtplib.SMTP(self.host, self.port, timeout=30) as smtp:
            smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(email)


def init_app(app: Flask) -> None:
    host = app.config.get("SMTP_HOST", "")
    if app.config.get("MAIL_BACKEND") == "memory":
        app.extensions[EXTENSION_KEY] = MemorySender()
    elif host:
        app.extensions[EXTENSION_KEY] = SmtpSender(
            host,
            int(app.config.get("SMTP_PORT", 587)),
            app.config.get("MAIL_FROM", "bench@localhost"),
            app.config.get("SMTP_USER", ""),
            app.config.get("SMTP_PASSWORD", ""),
        )
    else:
        whole = app.config.get("NAME") != "production"
        app.extensions.setdefault(EXTENSION_KEY, LogSender(whole))


def send(message: Message) -> None:
    current_app.extensions[EXTENSION_KEY].send(message)
