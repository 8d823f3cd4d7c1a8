using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using RuleGen.Generator.Model;

namespace RuleGen.Generator.Planning;

/// <summary>How a witness literal relates to a value of its field.</summary>
public enum WitnessKind
{
    Equals,
    StartsWith,
    EndsWith,
    Contains,

    /// <summary>
    /// The value contains one byte, whose code is the literal's one character: what a substring too short for the
    /// index's grams requires (its rarest byte, such as the lead byte of a non-ASCII character).
    /// </summary>
    ContainsByte,

    /// <summary>The field has a value at all (no literal): what any test of a field requires.</summary>
    Present,
}

/// <summary>
/// One literal a rule can require: some value of the rule set's shared slot <see cref="Slot"/> equals, starts with,
/// ends with or contains <see cref="Literal"/> (ASCII-lowercased: the index folds case on both sides).
/// </summary>
public sealed record WitnessAtom(int Slot, WitnessKind Kind, string Literal);

/// <summary>
/// A rule's witness: literals at least one of which every event the rule matches holds. Empty: the rule can never
/// match. A rule without a witness (null) is evaluated on every event.
/// </summary>
public sealed record Witness(EquatableArray<WitnessAtom> Atoms, double Cost);

/// <summary>
/// A rule's witnesses, each required: its detection's (none: the rule is evaluated on every event; two for an AND
/// whose operands both have one), and its logsource gate's. The detection alone needs <see cref="Detection"/>, a full
/// match <see cref="Full"/>.
/// </summary>
public sealed record RuleWitnesses(IReadOnlyList<Witness> Detection, Witness? Gate)
{
    /// <summary>The witnesses of a full match: the detection's and the gate's.</summary>
    public IReadOnlyList<Witness> Full => Witnesses.AllOf(Gate is null ? Detection : Detection.Concat(new[] { Gate }));
}

/// <summary>
/// Chooses each rule's witness for the candidate index. A field test gives literals (an exact value, a list of
/// them, a prefix, suffix or substring, the longest literal part of a wildcard or a regular expression), or failing
/// that the field's presence (every test of a field fails when it is absent); an OR has a witness when every
/// operand has one (their union); an AND takes its cheapest operand's inside an OR, and at the top of a condition the
/// two cheapest operands' witnesses, both required; a NOT gives none. The cost of a literal
/// estimates how often it holds on an event: exact values are rare, short substrings common, a field's mere presence
/// commoner still, and a literal many rules share (event.category:process) is probably a category, not a rare
/// value. A logsource gate has its own witness, which a full match needs besides the detection's: the index then
/// skips a rule of another logsource however common its detection's literals are on the event.
/// </summary>
public static class Witnesses
{
    /// <summary>The cost of a field's presence as a witness (see <see cref="Planner"/>).</summary>
    private const double PresentCost = 20;

    /// <summary>Bytes of the shortest prefix, suffix or substring the runtime index can search (its gram length).</summary>
    public const int MinSearchBytes = 4;

    /// <summary>
    /// The most literals one witness lists; a witness of more is its fields' presence instead (see <c>Make</c>).
    /// </summary>
    public const int MaxAtoms = 64;

    /// <summary>Witnesses of a detection required at once (the two cheapest of an AND's).</summary>
    public const int DetectionGroups = 2;

    /// <summary>
    /// Witnesses all required: a witness that cannot hold (no atoms) alone, since the rule never matches; else each
    /// distinct witness once.
    /// </summary>
    public static IReadOnlyList<Witness> AllOf(IEnumerable<Witness> witnesses)
    {
        var list = witnesses.Distinct().ToList();
        var never = list.FirstOrDefault(w => w.Atoms.Count == 0);
        return never is not null ? new[] { never } : list;
    }

    public static IReadOnlyList<RuleWitnesses> Plan(IReadOnlyList<RuleSetEntry> rules, IReadOnlyList<FieldRef> shared, int allStringsSlot)
    {
        var slots = new Dictionary<FieldRef, int>();
        for (var i = 0; i < shared.Count; i++) slots[shared[i]] = i;

        // How many rules require each literal somewhere (its "document frequency").
        var frequency = new Dictionary<WitnessAtom, int>();
        foreach (var rule in rules.Where(r => !r.IsSequence))
        {
            var atoms = new HashSet<WitnessAtom>();
            Collect(rule.Condition, slots, allStringsSlot, atoms);
            if (rule.Gate is not null) Collect(rule.Gate, slots, allStringsSlot, atoms);
            foreach (var atom in atoms) frequency[atom] = frequency.TryGetValue(atom, out var n) ? n + 1 : 1;
        }

        var planner = new Planner(slots, allStringsSlot, frequency);
        var result = new List<RuleWitnesses>();
        foreach (var rule in rules)
        {
            if (rule.IsSequence)
            {
                // Its steps go to the sequence engine; as a single-event rule it never matches.
                var never = new Witness(EquatableArray<WitnessAtom>.Empty, 0);
                result.Add(new RuleWitnesses(new[] { never }, null));
                continue;
            }
            // The cheapest witness first; a second one only if it has literals: a field's presence holds on nearly
            // every event that has the first, and would only add work to the index.
            var required = planner.Required(rule.Condition).OrderBy(w => w.Cost).ToList();
            var detection = AllOf(required.Take(1).Concat(required.Skip(1).Where(w => !w.Atoms.Any(a => a.Kind == WitnessKind.Present)).Take(DetectionGroups - 1)));
            result.Add(new RuleWitnesses(detection, rule.Gate is null ? null : planner.Of(rule.Gate)));
        }
        return result;
    }

    private static void Collect(Predicate predicate, Dictionary<FieldRef, int> slots, int allStringsSlot, HashSet<WitnessAtom> into)
    {
        switch (predicate)
        {
            case AndPredicate and:
                foreach (var o in and.Operands) Collect(o, slots, allStringsSlot, into);
                break;
            case OrPredicate or:
                foreach (var o in or.Operands) Collect(o, slots, allStringsSlot, into);
                break;
            case FieldPredicate f when slots.TryGetValue(f.Field, out var slot):
                foreach (var atom in Atoms(slot, f.Matcher) ?? Enumerable.Empty<WitnessAtom>()) into.Add(atom);
                into.Add(Present(slot));
                break;
            case ExistsPredicate e when slots.TryGetValue(e.Field, out var slot):
                into.Add(Present(slot));
                break;
            case NestedPredicate n when slots.TryGetValue(n.Field, out var slot):
                into.Add(Present(slot));
                break;
            case FieldComparePredicate c when slots.TryGetValue(c.Left, out var slot):
                into.Add(Present(slot));
                break;
            case AnyFieldPredicate a when allStringsSlot >= 0:
                foreach (var atom in Atoms(allStringsSlot, a.Matcher) ?? Enumerable.Empty<WitnessAtom>()) into.Add(atom);
                break;
        }
    }

    private sealed class Planner(Dictionary<FieldRef, int> slots, int allStringsSlot, Dictionary<WitnessAtom, int> frequency)
    {
        /// <summary>Witnesses every match of <paramref name="predicate"/> holds, each of them: one per operand of an AND.</summary>
        public List<Witness> Required(Predicate predicate)
        {
            var all = new List<Witness>();
            if (predicate is AndPredicate and)
            {
                foreach (var operand in and.Operands) all.AddRange(Required(operand));
            }
            else if (Of(predicate) is { } witness)
            {
                all.Add(witness);
            }
            return all;
        }

        public Witness? Of(Predicate predicate)
        {
            switch (predicate)
            {
                case ConstantPredicate { Value: false }:
                    return new Witness(EquatableArray<WitnessAtom>.Empty, 0);
                case AndPredicate and:
                {
                    Witness? best = null;
                    foreach (var operand in and.Operands)
                    {
                        if (Of(operand) is { } w && (best is null || w.Cost < best.Cost)) best = w;
                    }
                    return best;
                }
                case OrPredicate or:
                {
                    var atoms = new List<WitnessAtom>();
                    var cost = 0.0;
                    foreach (var operand in or.Operands)
                    {
                        if (Of(operand) is not { } w) return null;
                        atoms.AddRange(w.Atoms);
                        cost += w.Cost;
                    }
                    return Make(atoms, cost);
                }
                case FieldPredicate f when slots.TryGetValue(f.Field, out var slot):
                {
                    var atoms = Atoms(slot, f.Matcher);
                    return Cheaper(Cheaper(Make(atoms), Make(RarestBytes(atoms))), Make(new[] { Present(slot) }));
                }
                case ExistsPredicate e when slots.TryGetValue(e.Field, out var slot):
                    return Make(new[] { Present(slot) });
                case NestedPredicate n when slots.TryGetValue(n.Field, out var slot):
                    return Make(new[] { Present(slot) });
                case FieldComparePredicate c when slots.TryGetValue(c.Left, out var slot):
                    return Make(new[] { Present(slot) });
                case AnyFieldPredicate a when allStringsSlot >= 0:
                {
                    var atoms = Atoms(allStringsSlot, a.Matcher);
                    return Cheaper(Make(atoms), Make(RarestBytes(atoms)));
                }
                default:
                    // NOT, constant true, and predicate kinds this planner does not know: nothing is required.
                    return null;
            }
        }

        private static Witness? Cheaper(Witness? a, Witness? b) => a is null ? b : b is null || a.Cost <= b.Cost ? a : b;

        private Witness? Make(IReadOnlyList<WitnessAtom>? atoms)
        {
            if (atoms is null) return null;
            return Make(atoms, atoms.Sum(Cost));
        }

        private static Witness Make(IEnumerable<WitnessAtom> atoms, double cost)
        {
            var distinct = atoms.Distinct().ToList();
            if (distinct.Count > MaxAtoms)
            {
                // Hundreds of literals (a list of file hashes) are not worth indexing: the rule's own set tests them as
                // fast as the index would, and their bytes would be most of the index's data. Their fields' presence
                // is required all the same.
                distinct = distinct.Select(a => Present(a.Slot)).Distinct().ToList();
                cost = distinct.Count * PresentCost;
            }
            return new(distinct.ToEquatableArray(), Math.Min(cost, 1e6));
        }

        /// <summary>
        /// Literals one of which a value holds when it holds one of <paramref name="atoms"/>: the rarest byte of each
        /// (null when an atom has no byte to give). A long list of literals that share a rare byte (a hundred emoji,
        /// all with the lead byte 0xF0) costs less as that byte than as the sum of its literals.
        /// </summary>
        private static IReadOnlyList<WitnessAtom>? RarestBytes(IReadOnlyList<WitnessAtom>? atoms)
        {
            if (atoms is null || atoms.Count < 2) return null;
            var bytes = new List<WitnessAtom>();
            foreach (var atom in atoms)
            {
                if (atom.Kind == WitnessKind.Present) return null;
                if ((atom.Kind == WitnessKind.ContainsByte ? atom : RarestByte(atom.Slot, atom.Literal)) is not { } b) return null;
                bytes.Add(b);
            }
            return bytes.Distinct().ToList();
        }

        /// <summary>
        /// An estimate of how often the literal holds on an event (not a probability: only the order matters). A
        /// field's mere presence is the worst: on the events of the rule's logsource it nearly always holds, so any
        /// list of literals the index can search is worth more.
        /// </summary>
        private double Cost(WitnessAtom atom)
        {
            var length = Encoding.UTF8.GetByteCount(atom.Literal);
            var rarity = atom.Kind switch
            {
                WitnessKind.Equals => 0.02,
                WitnessKind.StartsWith or WitnessKind.EndsWith => Math.Pow(2, -length / 2.0),
                // A substring with a rare byte (a non-ASCII character, a caret) is rarer still.
                WitnessKind.Contains => Math.Min(1, Math.Pow(2, 1 - length / 2.0)) * Math.Min(1, atom.Literal.Min(c => ByteRarity(c))),
                WitnessKind.ContainsByte => ByteRarity(atom.Literal[0]),
                _ => PresentCost,
            };
            var shared = frequency.TryGetValue(atom, out var n) ? n : 1;
            return rarity * (1 + (shared - 1) / 8.0);
        }
    }

    /// <summary>The literals one of which a value passing <paramref name="matcher"/> holds; null when there are none.</summary>
    public static IReadOnlyList<WitnessAtom>? Atoms(int slot, ValueMatcher matcher)
    {
        switch (matcher)
        {
            case StringMatcher s when s.Kinds != ValueKinds.None:
                return Atom(slot, s.Operation, s.Value) is { } atom ? new[] { atom } : null;
            case StringSetMatcher set when set.Kinds != ValueKinds.None:
                return set.Values.Select(v => new WitnessAtom(slot, WitnessKind.Equals, Fold(v))).ToList();
            case StringListMatcher list when list.Kinds != ValueKinds.None:
            {
                // A list of prefixes, suffixes or substrings (Sigma's `Image|endswith: [...]`): one literal per value;
                // a single value too short to search leaves the list without a witness.
                var atoms = new List<WitnessAtom>(list.Values.Count);
                foreach (var value in list.Values)
                {
                    if (Atom(slot, list.Operation, value) is not { } valueAtom) return null;
                    atoms.Add(valueAtom);
                }
                return atoms;
            }
            case WildcardMatcher w when w.Kinds != ValueKinds.None:
                return WildcardAtom(slot, w.Pattern) is { } wild ? new[] { wild } : null;
            case RegexMatcher r when r.Kinds != ValueKinds.None:
                return RegexAtom(slot, r) is { } literal ? new[] { literal } : null;
            default:
                return ExtensionAtoms(slot, matcher);
        }
    }

    /// <summary>Literals of matcher kinds that languages add beyond the core set (none yet).</summary>
    private static IReadOnlyList<WitnessAtom>? ExtensionAtoms(int slot, ValueMatcher matcher) => null;

    private static WitnessAtom? Atom(int slot, StringOperation operation, string value)
    {
        var kind = operation switch
        {
            StringOperation.Equals => WitnessKind.Equals,
            StringOperation.StartsWith => WitnessKind.StartsWith,
            StringOperation.EndsWith => WitnessKind.EndsWith,
            _ => WitnessKind.Contains,
        };
        // Short prefixes and suffixes are looked up whole; a substring shorter than a gram needs its rarest byte.
        var length = Encoding.UTF8.GetByteCount(value);
        if (kind != WitnessKind.Equals && length == 0) return null;
        if (kind == WitnessKind.Contains && length < MinSearchBytes) return RarestByte(slot, value);
        return new WitnessAtom(slot, kind, Fold(value));
    }

    /// <summary>
    /// The byte of <paramref name="value"/> (ASCII-lowercased) least likely to occur in event text; null when even
    /// that one is common (a letter, a digit, a space, a path's punctuation): every value would hold it, and each
    /// value holding one of a field's bytes is searched for each of them.
    /// </summary>
    private static WitnessAtom? RarestByte(int slot, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(Fold(value));
        if (bytes.Length == 0) return null;
        var rarest = bytes.OrderBy(b => ByteRarity((char)b)).First();
        return ByteRarity((char)rarest) <= RareByte ? new WitnessAtom(slot, WitnessKind.ContainsByte, ((char)rarest).ToString()) : null;
    }

    /// <summary>The rarity of the commonest byte worth a witness: rare punctuation.</summary>
    private const double RareByte = 0.3;

    /// <summary>
    /// How often a byte occurs in log text, roughly, on the scale of <see cref="Planner"/>'s costs: UTF-8 lead and
    /// continuation bytes are rare in mostly ASCII logs; then the punctuation that command lines and paths seldom use;
    /// then the punctuation they use all the time; letters, digits and spaces are everywhere. (A non-ASCII character of
    /// a literal is a char of 0x80 or more, as each of its UTF-8 bytes is.)
    /// </summary>
    private static double ByteRarity(char b) => b switch
    {
        >= (char)0x80 => 0.05,
        '^' or '~' or '`' or '|' or '{' or '}' or '[' or ']' or '<' or '>' or ';' or '$' or '%' or '!' or '@' or '#' or '&' or '*' or '+' or '?' => 0.3,
        '\\' or '/' or '.' or '-' or ':' or '_' or '"' or '\'' or ',' or '=' or '(' or ')' => 0.8,
        _ => 1.5,
    };

    /// <summary>The field has a value.</summary>
    public static WitnessAtom Present(int slot) => new(slot, WitnessKind.Present, "");

    /// <summary>
    /// A literal every match of the regular expression contains. Case-insensitive .NET regexes also match some
    /// non-ASCII characters for k, s and i (the Kelvin sign, the long s, the dotted capital I), which the index's ASCII
    /// folding would miss: such literals are cut at those letters.
    /// </summary>
    private static WitnessAtom? RegexAtom(int slot, RegexMatcher regex)
    {
        if (RegexLiterals.Longest(regex.Pattern) is not { } literal) return null;
        // Inline options anywhere may turn case folding on.
        var mayIgnoreCase = (regex.Flags & RegexFlags.IgnoreCase) != 0 || regex.Pattern.IndexOf("(?", StringComparison.Ordinal) >= 0;
        if (mayIgnoreCase)
        {
            if (literal.Any(c => c > 127)) return null;
            literal = literal.Split('k', 'K', 's', 'S', 'i', 'I').OrderByDescending(p => p.Length).First();
        }
        return Encoding.UTF8.GetByteCount(literal) >= MinSearchBytes ? new WitnessAtom(slot, WitnessKind.Contains, Fold(literal)) : null;
    }

    /// <summary>
    /// A wildcard's longest literal part: as a prefix or suffix when it is one; failing a part long enough to search,
    /// the rarest byte of its literal parts.
    /// </summary>
    private static WitnessAtom? WildcardAtom(int slot, WildcardPattern pattern)
    {
        var parts = pattern.Parts;
        WitnessAtom? best = null;
        var bestLength = 0;
        for (var i = 0; i < parts.Count; i++)
        {
            if (parts[i].Kind != WildcardPartKind.Literal) continue;
            var length = Encoding.UTF8.GetByteCount(parts[i].Literal);
            var kind = i == 0 ? WitnessKind.StartsWith : i == parts.Count - 1 ? WitnessKind.EndsWith : WitnessKind.Contains;
            // Anchored literals are checked at their place: worth a few bytes of length.
            var score = length + (kind == WitnessKind.Contains ? 0 : 2);
            if (length >= MinSearchBytes && score > bestLength)
            {
                best = new WitnessAtom(slot, kind, Fold(parts[i].Literal));
                bestLength = score;
            }
        }
        var literal = string.Concat(parts.Where(p => p.Kind == WildcardPartKind.Literal).Select(p => p.Literal));
        return best ?? (literal.Length > 0 ? RarestByte(slot, literal) : null);
    }

    /// <summary>ASCII-lowercase (what the runtime index compares).</summary>
    public static string Fold(string text)
    {
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] >= 'A' && chars[i] <= 'Z') chars[i] = (char)(chars[i] | 0x20);
        }
        return new string(chars);
    }
}
