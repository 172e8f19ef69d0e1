package io.raftline.protocol.config;

/** A cluster file or setting that cannot be used, with a one-line reason naming the key. */
public final class ConfigException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String key;

    public ConfigException(final String key, final String reason)
    {
        super(key + ": " + reason);
        this.key = key;
    }

    public String key()
    {
        return key;
    }
}
