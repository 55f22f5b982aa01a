"""Qt-free pieces several RL plugins share (schedules, returns)."""
