"""The Qt shell: main window, plugin panels, parameter forms, live views and the recorder UI."""
