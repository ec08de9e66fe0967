"""Others' changes reach the GUI as sig_changes_happened."""

from sqlalchemy import text

from eszok_desktop.ui.live_refresh import LiveRefresh
from eszok_desktop.ui.task_runner import TaskRunner


def test_another_clients_change_is_announced_on_the_gui_thread(qtbot, make_signed_in):
    _, reader = make_signed_in("serwisant")
    _, writer = make_signed_in("kierownik")
    runner = TaskRunner(reader)
    live = LiveRefresh(runner)
    live.start()
    try:
        assert live._listener.listening.wait(5)
        with (
            qtbot.waitSignal(runner.sig_changes_happened, timeout=1000) as blocker,
            writer.session() as session,
        ):
            session.execute(text("INSERT INTO eszok.announcements (title) VALUES ('Nowe')"))
        assert blocker.args == [frozenset({"announcements"})]
    finally:
        live.stop()
