package io.raftline.tools;

import io.raftline.core.EntryType;
import org.agrona.DirectBuffer;

import java.io.PrintWriter;

/**
 * Prints one entry a line, for {@code tail} and {@code dump} alike: JSON as CLI.md fixes it, or text (index, term,
 * producer, sequence, payload; Raft's own entries by type).
 */
final class EntryPrinter
{
    private final PrintWriter out;
    private final boolean json;

    EntryPrinter(final PrintWriter out, final boolean json)
    {
        this.out = out;
        this.json = json;
    }

    void print(final long index, final long term, final int type, final String producer, final long sequence,
        final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] payload = new byte[length];
        buffer.getBytes(offset, payload);
        if (type == EntryType.NORMAL)
        {
            if (json)
            {
                out.println("{\"index\":" + index + ",\"term\":" + term + ",\"producer\":\"" +
                    Json.escape(producer == null ? "" : producer) + "\",\"seq\":" + sequence +
                    ",\"payload_b64\":\"" + java.util.Base64.getEncoder().encodeToString(payload) + "\"}");
            }
            else
            {
                out.println(index + " " + term + " " + (producer == null ? "-" : producer) + " " + sequence + " " +
                    Payloads.text(payload));
            }
        }
        else if (json)
        {
            out.println("{\"index\":" + index + ",\"term\":" + term + ",\"type\":\"" + EntryType.name(type) + "\"" +
                (length > 0 ? ",\"content_b64\":\"" + java.util.Base64.getEncoder().encodeToString(payload) + "\"" :
                "") + "}");
        }
        else
        {
            out.println(index + " " + term + " " + EntryType.name(type) + (length > 0 ? " " +
                Payloads.text(payload) : ""));
        }
    }
}
