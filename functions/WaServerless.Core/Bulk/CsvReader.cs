using System.Text;

namespace WaServerless.Core.Bulk;

/// <summary>The CSV is not well formed at <see cref="Row"/> (the header is row 1).</summary>
public sealed class CsvFormatException(int row, string message) : Exception(message)
{
    public int Row { get; } = row;
}

/// <summary>
/// Reads CSV as RFC 4180 describes it, and as spreadsheets write it: fields separated by a
/// delimiter; a field in double quotes may hold the delimiter, line breaks and "" for a quote;
/// records end at CRLF, LF or CR. Unquoted fields are trimmed, quoted ones kept as they are (spaces
/// before the opening quote are ignored, and text after the closing quote is kept, as Excel does).
/// A byte order mark is skipped. Records are numbered from 1 as a spreadsheet numbers its rows:
/// every line break outside quotes starts the next row, blank lines included.
/// </summary>
public sealed class CsvReader
{
    private readonly string _text;
    private readonly StringBuilder _field = new();
    private int _position;
    private int _row;

    public CsvReader(string text, char delimiter)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (delimiter is '"' or '\r' or '\n')
        {
            throw new ArgumentException("The delimiter cannot be a quote or a line break.", nameof(delimiter));
        }

        _text = text;
        Delimiter = delimiter;
        _position = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
    }

    public char Delimiter { get; }

    /// <summary>
    /// The delimiter of the first record (outside quotes): the most frequent of comma, semicolon
    /// (Excel in many locales) and tab; a comma when none occurs or on a tie.
    /// </summary>
    public static char DetectDelimiter(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int commas = 0, semicolons = 0, tabs = 0;
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted)
            {
                if (c is '\r' or '\n')
                {
                    break;
                }

                commas += c == ',' ? 1 : 0;
                semicolons += c == ';' ? 1 : 0;
                tabs += c == '\t' ? 1 : 0;
            }
        }

        if (semicolons > commas && semicolons >= tabs)
        {
            return ';';
        }

        return tabs > commas && tabs > semicolons ? '\t' : ',';
    }

    /// <summary>
    /// The next record into <paramref name="fields"/> (cleared first) and its row number; false at
    /// the end. A blank line is a record of one empty field. Throws <see cref="CsvFormatException"/>
    /// when a quoted field never closes.
    /// </summary>
    public bool TryRead(List<string> fields, out int row)
    {
        ArgumentNullException.ThrowIfNull(fields);
        fields.Clear();
        if (_position >= _text.Length)
        {
            row = _row;
            return false;
        }

        row = ++_row;
        while (true)
        {
            fields.Add(ReadField(row));
            if (_position >= _text.Length)
            {
                return true;
            }

            var c = _text[_position++];
            if (c == Delimiter)
            {
                if (_position >= _text.Length)
                {
                    // "a,b," at the very end: the last field is empty.
                    fields.Add(string.Empty);
                    return true;
                }

                continue;
            }

            // A line break ends the record; CRLF is one break.
            if (c == '\r' && _position < _text.Length && _text[_position] == '\n')
            {
                _position++;
            }

            return true;
        }
    }

    private string ReadField(int row)
    {
        var start = _position;
        var p = _position;
        while (p < _text.Length && _text[p] is ' ' or '\t' && _text[p] != Delimiter)
        {
            p++;
        }

        if (p >= _text.Length || _text[p] != '"')
        {
            while (_position < _text.Length && !EndsField(_text[_position]))
            {
                _position++;
            }

            return _text.AsSpan(start, _position - start).Trim().ToString();
        }

        _field.Clear();
        _position = p + 1;
        while (true)
        {
            if (_position >= _text.Length)
            {
                throw new CsvFormatException(row, $"Row {row}: a quoted field opens but never closes.");
            }

            var c = _text[_position++];
            if (c != '"')
            {
                _field.Append(c);
            }
            else if (_position < _text.Length && _text[_position] == '"')
            {
                _field.Append('"');
                _position++;
            }
            else
            {
                break;
            }
        }

        // After the closing quote: spaces are dropped, anything else is kept (lenient, as Excel reads it).
        var after = _position;
        while (_position < _text.Length && !EndsField(_text[_position]))
        {
            _position++;
        }

        var rest = _text.AsSpan(after, _position - after).TrimEnd();
        _field.Append(rest);
        return _field.ToString();
    }

    private bool EndsField(char c) => c == Delimiter || c is '\r' or '\n';
}
