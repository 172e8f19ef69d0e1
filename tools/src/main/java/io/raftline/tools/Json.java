package io.raftline.tools;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The little JSON the command line writes and reads back: string escaping, the numbers of a one-line object. */
final class Json
{
    private static final Pattern NUMBER_FIELD = Pattern.compile("\"([a-z0-9_]+)\"\\s*:\\s*(-?[0-9][0-9.eE+-]*)");

    private Json()
    {
    }

    static String escape(final String text)
    {
        final StringBuilder escaped = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"' -> escaped.append("\\\"");
                case '\\' -> escaped.append("\\\\");
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                case '\t' -> escaped.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        escaped.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        escaped.append(c);
                    }
                }
            }
        }
        return escaped.toString();
    }

    /** The numeric fields of a one-line JSON object, by name, as written (nested objects' fields too). */
    static Map<String, String> numberFields(final String line)
    {
        final Map<String, String> fields = new HashMap<>();
        final Matcher matcher = NUMBER_FIELD.matcher(line);
        while (matcher.find())
        {
            fields.put(matcher.group(1), matcher.group(2));
        }
        return fields;
    }
}
