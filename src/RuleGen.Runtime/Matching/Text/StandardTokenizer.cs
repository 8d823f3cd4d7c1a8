// Compiled into the runtime and, linked, into the generator (see UnicodeTables.cs).
using System;

#if RULEGEN_GENERATOR
namespace RuleGen.Generator.Text;
#else
namespace RuleGen.Runtime.Text;
#endif

/// <summary>
/// The tokens of UTF-8 text as Elasticsearch's <c>standard</c> tokenizer (Lucene's StandardTokenizer) finds them:
/// word boundaries of Unicode Standard Annex #29 (rules WB1-WB999), keeping only segments that hold a letter, a
/// digit, a Katakana, Han or Hiragana character, a Southeast-Asian (Line_Break=SA) run or an emoji; each Han and
/// Hiragana character is a token of its own, SA runs stay whole (as Lucene does), and tokens longer than 255 UTF-16
/// code units are split. A value type over a span: copying it saves the position (phrase matching looks ahead with
/// a copy). Allocates nothing.
/// </summary>
/// <remarks>
/// Differences from Lucene that remain: the tables are of Unicode <see cref="UnicodeTables.UnicodeVersion"/> where
/// Lucene's grammar was generated from an older version, and emoji sequences follow UAX #29 (a segment holding an
/// Extended_Pictographic character or a regional-indicator pair) rather than Lucene's emoji grammar.
/// </remarks>
internal ref struct StandardTokenizer
{
    /// <summary>Elasticsearch's default <c>max_token_length</c>.</summary>
    public const int MaxTokenLength = 255;

    private readonly ReadOnlySpan<byte> _text;
    private int _position;

    public StandardTokenizer(ReadOnlySpan<byte> utf8)
    {
        _text = utf8;
        _position = 0;
    }

    /// <summary>The byte offset where the search for the next token starts.</summary>
    public int Position => _position;

    /// <summary>Finds the next token; false at the end of the text.</summary>
    public bool Next(out int start, out int length)
    {
        while (_position < _text.Length)
        {
            var segmentStart = _position;
            var end = SegmentEnd(segmentStart, out var isWord, out var chunked);
            _position = end;
            if (isWord || chunked)
            {
                start = segmentStart;
                length = end - segmentStart;
                return true;
            }
        }
        start = _text.Length;
        length = 0;
        return false;
    }

    // One unit of UAX #29 after rule WB4: a character and the Extend, Format and ZWJ characters that follow it.
    private struct Unit
    {
        public byte Class;
        public int End;
        public bool EndsWithZwj;
        public bool Single;

        public WordBreak Break => (WordBreak)(Class & UnicodeTables.WordBreakMask);
    }

    private Unit ReadUnit(int at)
    {
        var cp = Utf8Scalar.Decode(_text, at, out var length);
        var unit = new Unit { Class = UnicodeTables.Class(cp), End = at + length, Single = true };
        var wb = unit.Break;
        unit.EndsWithZwj = wb == WordBreak.ZWJ;
        if (wb is WordBreak.CR or WordBreak.LF or WordBreak.Newline) return unit;
        while (unit.End < _text.Length)
        {
            var next = Utf8Scalar.Decode(_text, unit.End, out var nextLength);
            var nextBreak = (WordBreak)(UnicodeTables.Class(next) & UnicodeTables.WordBreakMask);
            if (nextBreak is not (WordBreak.Extend or WordBreak.Format or WordBreak.ZWJ)) break;
            unit.End += nextLength;
            unit.EndsWithZwj = nextBreak == WordBreak.ZWJ;
            unit.Single = false;
        }
        return unit;
    }

    private static int Utf16Length(ReadOnlySpan<byte> text, int from, int to)
    {
        var count = 0;
        for (var i = from; i < to; i++)
        {
            var b = text[i];
            if ((b & 0xC0) != 0x80) count += b >= 0xF0 ? 2 : 1;
        }
        return count;
    }

    /// <summary>The end of the segment starting at <paramref name="start"/> (a boundary).</summary>
    private int SegmentEnd(int start, out bool isWord, out bool chunked)
    {
        var left = ReadUnit(start);
        var hasLeftLeft = false;
        var leftLeft = default(Unit);
        isWord = IsWordUnit(left);
        chunked = false;
        var regionalIndicators = left.Break == WordBreak.RegionalIndicator ? 1 : 0;
        var utf16 = Utf16Length(_text, start, left.End);
        var hasPending = false;
        var pending = default(Unit);
        while (left.End < _text.Length)
        {
            var right = hasPending ? pending : ReadUnit(left.End);
            var hasRightRight = right.End < _text.Length;
            var rightRight = hasRightRight ? ReadUnit(right.End) : default;
            pending = rightRight;
            hasPending = hasRightRight;
            if (IsBoundary(hasLeftLeft, leftLeft, left, right, hasRightRight, rightRight, regionalIndicators)) break;
            var rightLength = Utf16Length(_text, left.End, right.End);
            if (isWord && utf16 + rightLength > MaxTokenLength)
            {
                // Lucene's scanner buffer holds max_token_length characters: a longer token is cut there.
                chunked = true;
                return left.End;
            }
            utf16 += rightLength;
            regionalIndicators = right.Break == WordBreak.RegionalIndicator ? regionalIndicators + 1 : 0;
            isWord |= IsWordUnit(right);
            leftLeft = left;
            hasLeftLeft = true;
            left = right;
        }
        return left.End;
    }

    private static bool IsWordUnit(Unit unit)
    {
        if ((unit.Class & (UnicodeTables.Ideographic | UnicodeTables.ComplexContext | UnicodeTables.ExtendedPictographic)) != 0) return true;
        return unit.Break is WordBreak.ALetter or WordBreak.HebrewLetter or WordBreak.Numeric or WordBreak.Katakana
            or WordBreak.RegionalIndicator;
    }

    private static bool IsAHLetter(WordBreak b) => b is WordBreak.ALetter or WordBreak.HebrewLetter;

    private static bool IsMidLetterQ(WordBreak b) => b is WordBreak.MidLetter or WordBreak.MidNumLet or WordBreak.SingleQuote;

    private static bool IsMidNumQ(WordBreak b) => b is WordBreak.MidNum or WordBreak.MidNumLet or WordBreak.SingleQuote;

    // The rules of UAX #29 section 4.1.1, in order, between units (WB4 already applied by ReadUnit).
    private static bool IsBoundary(bool hasLL, Unit ll, Unit l, Unit r, bool hasRR, Unit rr, int regionalIndicators)
    {
        var L = l.Break;
        var R = r.Break;
        if (L == WordBreak.CR && R == WordBreak.LF) return false;                                  // WB3
        if (L is WordBreak.CR or WordBreak.LF or WordBreak.Newline) return true;                   // WB3a
        if (R is WordBreak.CR or WordBreak.LF or WordBreak.Newline) return true;                   // WB3b
        if (l.EndsWithZwj && (r.Class & UnicodeTables.ExtendedPictographic) != 0) return false;    // WB3c
        if (L == WordBreak.WSegSpace && l.Single && R == WordBreak.WSegSpace) return false;        // WB3d
        var LL = hasLL ? ll.Break : WordBreak.Other;
        var RR = hasRR ? rr.Break : WordBreak.Other;
        if (IsAHLetter(L) && IsAHLetter(R)) return false;                                          // WB5
        if (IsAHLetter(L) && IsMidLetterQ(R) && hasRR && IsAHLetter(RR)) return false;             // WB6
        if (hasLL && IsAHLetter(LL) && IsMidLetterQ(L) && IsAHLetter(R)) return false;             // WB7
        if (L == WordBreak.HebrewLetter && R == WordBreak.SingleQuote) return false;               // WB7a
        if (L == WordBreak.HebrewLetter && R == WordBreak.DoubleQuote && RR == WordBreak.HebrewLetter && hasRR) return false; // WB7b
        if (hasLL && LL == WordBreak.HebrewLetter && L == WordBreak.DoubleQuote && R == WordBreak.HebrewLetter) return false; // WB7c
        if (L == WordBreak.Numeric && R == WordBreak.Numeric) return false;                        // WB8
        if (IsAHLetter(L) && R == WordBreak.Numeric) return false;                                 // WB9
        if (L == WordBreak.Numeric && IsAHLetter(R)) return false;                                 // WB10
        if (hasLL && LL == WordBreak.Numeric && IsMidNumQ(L) && R == WordBreak.Numeric) return false; // WB11
        if (L == WordBreak.Numeric && IsMidNumQ(R) && hasRR && RR == WordBreak.Numeric) return false; // WB12
        if (L == WordBreak.Katakana && R == WordBreak.Katakana) return false;                      // WB13
        if ((IsAHLetter(L) || L is WordBreak.Numeric or WordBreak.Katakana or WordBreak.ExtendNumLet)
            && R == WordBreak.ExtendNumLet) return false;                                          // WB13a
        if (L == WordBreak.ExtendNumLet && (IsAHLetter(R) || R is WordBreak.Numeric or WordBreak.Katakana)) return false; // WB13b
        if (L == WordBreak.RegionalIndicator && R == WordBreak.RegionalIndicator && regionalIndicators % 2 == 1) return false; // WB15, WB16
        // Lucene keeps runs of Line_Break=Complex_Context characters (Thai, Lao, Khmer, Myanmar) together.
        if ((l.Class & UnicodeTables.ComplexContext) != 0 && (r.Class & UnicodeTables.ComplexContext) != 0) return false;
        return true;                                                                                // WB999
    }
}
