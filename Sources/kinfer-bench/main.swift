print("kinfer-bench")
