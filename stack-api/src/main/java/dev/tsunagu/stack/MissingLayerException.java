package dev.tsunagu.stack;

/** A stack was asked for something that no layer on its class or module path provides. */
public class MissingLayerException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** A failure explained by {@code message}, which names the artifact and module to add. */
    public MissingLayerException(String message) {
        super(message);
    }

    /** "this stack has no TCP: add dev.tsunagu:tsunagu-stack-tcp (module dev.tsunagu.tcp) …" */
    public static MissingLayerException forService(String what, String artifact, String module) {
        return new MissingLayerException("this stack has no " + what + ": add the Maven artifact dev.tsunagu:tsunagu-" + artifact
                + " (JPMS module " + module + ") to the class path or module path");
    }
}
