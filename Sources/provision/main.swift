print("provision: not wired yet")
