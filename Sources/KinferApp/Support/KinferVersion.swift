/// kinfer's version: what `kinfer --version` prints and what the notifier's callbacks carry in their User-Agent.
public enum KinferVersion {
    public static let current = "0.1.0"
}
