package io.raftline.protocol;

/** Why a frame was refused. Zero is success. */
public final class DecodeResult
{
    public static final int OK = 0;
    public static final int TOO_SHORT = 1;
    public static final int BAD_VERSION = 2;
    public static final int WRONG_CLUSTER = 3;
    public static final int UNKNOWN_TYPE = 4;
    public static final int BAD_LENGTH = 5;
    public static final int BAD_FIELD = 6;
    public static final int BAD_ENTRY = 7;

    private DecodeResult()
    {
    }

    public static String describe(final int result)
    {
        return switch (result)
        {
            case OK -> "ok";
            case TOO_SHORT -> "shorter than its header or body";
            case BAD_VERSION -> "unknown protocol version";
            case WRONG_CLUSTER -> "from another cluster";
            case UNKNOWN_TYPE -> "unknown message type";
            case BAD_LENGTH -> "stated length differs from the received length";
            case BAD_FIELD -> "a field out of range";
            case BAD_ENTRY -> "a malformed entry";
            default -> "error " + result;
        };
    }
}
