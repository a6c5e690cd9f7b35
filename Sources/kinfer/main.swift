print("kinfer")
