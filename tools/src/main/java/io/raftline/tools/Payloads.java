package io.raftline.tools;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** How payloads are shown as text: as they are when printable ASCII, else in base64 with a prefix. */
final class Payloads
{
    private Payloads()
    {
    }

    static String text(final byte[] payload)
    {
        for (final byte b : payload)
        {
            if (b < 0x20 || b > 0x7e)
            {
                return "base64:" + Base64.getEncoder().encodeToString(payload);
            }
        }
        return new String(payload, StandardCharsets.US_ASCII);
    }
}
