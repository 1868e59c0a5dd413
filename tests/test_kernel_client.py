"""``ReadyKernelClient``: a new kernel is ready once it has answered and gone idle."""

from __future__ import annotations

import asyncio
from queue import Empty
from typing import Any

import pytest

from perfnb.run.kernel import CurrentPythonKernelManager, ReadyKernelClient


class FakeChannel:
    """A channel whose ``get_msg`` hands out what was queued, else raises ``Empty``."""

    def __init__(self) -> None:
        self.queued: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.on_send: Any = None

    async def get_msg(self, timeout: float | None = None) -> dict[str, Any]:
        if not self.queued:
            raise Empty
        return self.queued.pop(0)

    def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)
        if self.on_send is not None:
            self.on_send(message)


def _message(kind: str, parent: str, **content: Any) -> dict[str, Any]:
    return {"msg_type": kind, "parent_header": {"msg_id": parent}, "content": content}


def _client(connected_from: int) -> tuple[ReadyKernelClient, FakeChannel, FakeChannel]:
    """A client whose kernel answers every kernel_info request, and whose IOPub carries the
    busy and idle statuses of the requests from number ``connected_from`` (1-based) on."""
    client = ReadyKernelClient()
    shell, iopub = FakeChannel(), FakeChannel()
    client._shell_channel, client._iopub_channel = shell, iopub  # type: ignore[assignment]

    def answer(request: dict[str, Any]) -> None:
        number, msg_id = len(shell.sent), request["header"]["msg_id"]
        shell.queued.append(
            _message("kernel_info_reply", msg_id, status="ok", protocol_version="5.3")
        )
        if number >= connected_from:
            iopub.queued += [
                _message("status", msg_id, execution_state="busy"),
                _message("status", "someone-else", execution_state="idle"),
                _message("status", msg_id, execution_state="idle"),
            ]

    shell.on_send = answer
    return client, shell, iopub


@pytest.mark.parametrize("connected_from", [1, 2, 3])
def test_ready_once_the_kernel_has_answered_and_its_iopub_has_gone_idle(
    connected_from: int,
) -> None:
    """It asks again until IOPub carries the answered request's idle status (IOPub is then
    connected), and leaves nothing of it on IOPub."""
    client, shell, iopub = _client(connected_from)
    asyncio.run(client.wait_for_ready(timeout=30))
    assert len(shell.sent) == connected_from
    assert all(m["header"]["msg_type"] == "kernel_info_request" for m in shell.sent)
    assert iopub.queued == []


def test_a_kernel_that_dies_before_answering_is_said_to_have_died(monkeypatch) -> None:
    client, shell, _ = _client(1)
    shell.on_send = None  # never answers

    async def dead() -> bool:
        return False

    monkeypatch.setattr(client, "_async_is_alive", dead)
    with pytest.raises(RuntimeError, match="Kernel died before replying to kernel_info"):
        asyncio.run(client.wait_for_ready(timeout=30))


def test_a_kernel_that_never_answers_times_out() -> None:
    client, shell, _ = _client(1)
    shell.on_send = None
    with pytest.raises(RuntimeError, match="Kernel didn't respond in 0 seconds"):
        asyncio.run(client.wait_for_ready(timeout=0))


def test_the_run_kernel_manager_makes_ready_clients(tmp_path) -> None:
    manager = CurrentPythonKernelManager.logging_to(tmp_path / "kernel.log")()
    assert isinstance(manager.client(), ReadyKernelClient)
