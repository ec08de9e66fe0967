"""The event dialog: ``dialog.EventDialog`` with the Szczegóły, Historia and Akcja tabs.
Other modules add Akcja buttons through ``action_tab.register_event_action_provider``."""
