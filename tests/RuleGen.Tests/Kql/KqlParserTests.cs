using RuleGen.Generator.Languages.Kql;

namespace RuleGen.Tests.Kql;

/// <summary>
/// The KQL parser against Kibana's kuery grammar (kbn-es-query/src/kuery/grammar/grammar.peggy), feature by feature.
/// Trees are printed by <see cref="KqlTreePrinter"/>; each case says what Kibana's grammar makes of the query.
/// </summary>
public sealed class KqlParserTests
{
    private static string Tree(string query)
    {
        var (tree, error) = KqlParser.Parse(query);
        Assert.True(tree is not null, $"'{query}' should parse, but: {error?.Message} at {error?.Position}");
        return KqlTreePrinter.Print(tree!);
    }

    private static KqlSyntaxError Error(string query)
    {
        var (tree, error) = KqlParser.Parse(query);
        Assert.True(tree is null, $"'{query}' should not parse, but gave {(tree is null ? "" : KqlTreePrinter.Print(tree))}");
        return error!;
    }

    // ---- and / or / not --------------------------------------------------------------------------------------

    [Theory]
    [InlineData("a:1 and b:2")]
    [InlineData("a:1 AND b:2")]
    [InlineData("a:1 And b:2")]
    [InlineData("a:1 aNd b:2")]
    [InlineData("a:1\tand\nb:2")]
    [InlineData("a:1\r\nand\r\nb:2")]
    [InlineData("a:1   and   b:2")]
    [InlineData("a:1\u00a0and\u00a0b:2")]
    public void And_is_a_keyword_in_any_letter_case_between_whitespace(string query) =>
        Assert.Equal("(and (is 'a' '1') (is 'b' '2'))", Tree(query));

    [Theory]
    [InlineData("a:1 or b:2")]
    [InlineData("a:1 OR b:2")]
    [InlineData("a:1 Or b:2")]
    [InlineData("a:1 oR b:2")]
    [InlineData("a:1\nor\tb:2")]
    public void Or_is_a_keyword_in_any_letter_case_between_whitespace(string query) =>
        Assert.Equal("(or (is 'a' '1') (is 'b' '2'))", Tree(query));

    [Theory]
    [InlineData("not a:1")]
    [InlineData("NOT a:1")]
    [InlineData("Not a:1")]
    [InlineData("nOt\ta:1")]
    [InlineData("  not  a:1  ")]
    public void Not_is_a_keyword_in_any_letter_case_followed_by_whitespace(string query) =>
        Assert.Equal("(not (is 'a' '1'))", Tree(query));

    [Theory]
    [InlineData("a:1 or b:2 and c:3", "(or (is 'a' '1') (and (is 'b' '2') (is 'c' '3')))")]
    [InlineData("a:1 and b:2 or c:3", "(or (and (is 'a' '1') (is 'b' '2')) (is 'c' '3'))")]
    [InlineData("not a:1 or b:2", "(or (not (is 'a' '1')) (is 'b' '2'))")]
    [InlineData("not a:1 and not b:2", "(and (not (is 'a' '1')) (not (is 'b' '2')))")]
    [InlineData("a:1 and b:2 and c:3", "(and (is 'a' '1') (is 'b' '2') (is 'c' '3'))")]
    [InlineData("a:1 or b:2 or c:3", "(or (is 'a' '1') (is 'b' '2') (is 'c' '3'))")]
    [InlineData("not (a:1 or b:2)", "(not (or (is 'a' '1') (is 'b' '2')))")]
    public void Not_binds_tighter_than_and_which_binds_tighter_than_or(string query, string expected) =>
        Assert.Equal(expected, Tree(query));

    [Theory]
    [InlineData("a:or", "(is 'a' 'or')")]
    [InlineData("a:and", "(is 'a' 'and')")]
    [InlineData("a:not", "(is 'a' 'not')")]
    [InlineData("or:1", "(is 'or' '1')")]
    [InlineData("and:1", "(is 'and' '1')")]
    [InlineData("not:1", "(is 'not' '1')")]
    [InlineData("a:oregon and b:android", "(and (is 'a' 'oregon') (is 'b' 'android'))")]
    [InlineData("a:1 ornot", "(is 'a' '1 ornot')")]
    [InlineData("notepad.exe", "(is _ 'notepad.exe')")]
    public void A_keyword_without_the_whitespace_it_needs_is_text(string query, string expected) =>
        Assert.Equal(expected, Tree(query));

    [Theory]
    // "Space+ and Space+" needs whitespace after the keyword: at the end of the query it is part of the value.
    [InlineData("a:b and", "(is 'a' 'b and')")]
    [InlineData("a:b or", "(is 'a' 'b or')")]
    [InlineData("f:(a or)", "(is 'f' 'a or')")]
    public void A_trailing_connective_is_part_of_the_unquoted_value(string query, string expected) =>
        Assert.Equal(expected, Tree(query));

    [Theory]
    // Kibana's grammar requires whitespace on both sides of and/or and after not; these are errors there.
    [InlineData("a:1and b:2", 8)]      // value "1and b", then ':'
    [InlineData("a:1 and(b:2)", 7)]    // value "1 and", then '('
    [InlineData("a:1 or(b:2)", 6)]
    [InlineData("(a:1)or b:2", 5)]
    [InlineData("(a:1) or(b:2)", 6)]   // " or(" is no connective: the query ends after "(a:1) "
    [InlineData("not(a:1)", 3)]
    [InlineData("not not a:1", 4)]     // NotQuery = Not SubQuery: a second not needs parentheses
    [InlineData("a:cannot b", 5)]      // "not " inside a word is the keyword not: the value stops before it
    [InlineData("a:b or  ", 8)]        // here "or" has its whitespace, so an operand must follow
    public void Connectives_without_whitespace_are_syntax_errors_where_kibana_rejects_them(string query, int position) =>
        Assert.Equal(position, Error(query).Position);

    [Fact]
    public void Double_negation_parses_with_parentheses() =>
        Assert.Equal("(not (not (is 'a' '1')))", Tree("not (not a:1)"));

    // ---- parentheses ----------------------------------------------------------------------------------------

    [Theory]
    [InlineData("(a:1 or b:2) and c:3", "(and (or (is 'a' '1') (is 'b' '2')) (is 'c' '3'))")]
    [InlineData("( a:1 )", "(is 'a' '1')")]
    [InlineData("((a:1))", "(is 'a' '1')")]
    [InlineData("(\n  a:1\n  or\n  b:2\n)", "(or (is 'a' '1') (is 'b' '2'))")]
    [InlineData("a:1 and (b:2 or (c:3 and not d:4))", "(and (is 'a' '1') (or (is 'b' '2') (and (is 'c' '3') (not (is 'd' '4')))))")]
    public void Parentheses_group_queries(string query, string expected) =>
        Assert.Equal(expected, Tree(query));

    [Theory]
    [InlineData("(a:1", 4, "\")\"")]
    [InlineData("a:1)", 3, "end of query")]
    [InlineData("()", 1, "value")]
    [InlineData(")", 0, "value")]
    public void Unbalanced_parentheses_are_errors_at_the_offending_place(string query, int position, string expected)
    {
        var error = Error(query);
        Assert.Equal(position, error.Position);
        Assert.Contains(expected, error.Message);
    }

    // ---- field:value and value lists ------------------------------------------------------------------------

    [Theory]
    [InlineData("event.outcome:success", "(is 'event.outcome' 'success')")]
    [InlineData("event.outcome : success", "(is 'event.outcome' 'success')")]
    [InlineData("event.outcome :success", "(is 'event.outcome' 'success')")]
    [InlineData("event.outcome:\n  success", "(is 'event.outcome' 'success')")]
    [InlineData("@timestamp:x", "(is '@timestamp' 'x')")]
    [InlineData("a-b_c.d/e:x", "(is 'a-b_c.d/e' 'x')")]
    [InlineData("\"event.outcome\":success", "(is \"event.outcome\" 'success')")]
    [InlineData("\"a field\":x", "(is \"a field\" 'x')")]
    [InlineData("a\\:b:x", "(is 'a:b' 'x')")]
    public void Field_value_expressions(string query, string expected) =>
        Assert.Equal(expected, Tree(query));

    [Theory]
    [InlineData("f:(a or b and not c)", "(is 'f' (or 'a' (and 'b' (not 'c'))))")]
    [InlineData("f:(a OR b)", "(is 'f' (or 'a' 'b'))")]
    [InlineData("f:(a and b)", "(is 'f' (and 'a' 'b'))")]
    [InlineData("f:(not a)", "(is 'f' (not 'a'))")]
    [InlineData("f:(NOT a and NOT b)", "(is 'f' (and (not 'a') (not 'b')))")]
    [InlineData("f:((a or b) and c)", "(is 'f' (and (or 'a' 'b') 'c'))")]
    [InlineData("f:(not (a or b))", "(is 'f' (not (or 'a' 'b')))")]
    [InlineData("f:( a )", "(is 'f' 'a')")]
    [InlineData("f:(\n  a or\n  b\n)", "(is 'f' (or 'a' 'b'))")]
    [InlineData("f:(\"a\" or b* or 1)", "(is 'f' (or \"a\" w'b*' '1'))")]
    [InlineData("f:(a b or c d)", "(is 'f' (or 'a b' 'c d'))")]
    public void Value_lists_combine_values_with_not_and_or_precedence(string query, string expected) =>
        Assert.Equal(expected, Tree(query));

    [Theory]
    [InlineData("f:()", 3)]
    [InlineData("f:(a", 4)]
    [InlineData("f:", 2)]
    [InlineData(":x", 0)]
    public void Malformed_value_lists_are_errors(string query, int position)
    {
        var error = Error(query);
        Assert.Equal(position, error.Position);
    }

    // ---- quoted strings -------------------------------------------------------------------------------------

    [Theory]
    [InlineData("f:\"a b\"", "(is 'f' \"a b\")")]
    [InlineData("f:\"\"", "(is 'f' \"\")")]
    [InlineData("f:\"a or b and not c\"", "(is 'f' \"a or b and not c\")")]
    [InlineData("f:\"(a):<b>{c}\"", "(is 'f' \"(a):<b>{c}\")")]
    [InlineData("f:\"  padded  \"", "(is 'f' \"  padded  \")")]
    [InlineData("f:\"true\"", "(is 'f' \"true\")")]
    [InlineData("f:\"null\"", "(is 'f' \"null\")")]
    [InlineData("f:\"403\"", "(is 'f' \"403\")")]
    [InlineData("\"hello world\"", "(is _ \"hello world\")")]
    public void Quoted_strings_are_taken_as_they_are(string query, string expected) =>
        Assert.Equal(expected, Tree(query));

    [Theory]
    [InlineData("f:\"a*b\"", "a*b")]
    [InlineData("f:\"*\"", "*")]
    [InlineData("f:\"MICROSOFT.NETWORK/*/WRITE\"", "MICROSOFT.NETWORK/*/WRITE")]
    [InlineData("f:\"a?b\"", "a?b")]
    public void Star_inside_quotes_is_literal(string query, string text)
    {
        var literal = SingleValue(query);
        Assert.True(literal.Quoted);
        Assert.Equal(KqlLiteralKind.Text, literal.Kind);
        Assert.False(literal.Pattern.HasWildcards);
        Assert.Equal(text, literal.Text);
    }

    [Theory]
    [InlineData(@"f:""a\tb""", "a\tb")]
    [InlineData(@"f:""a\rb""", "a\rb")]
    [InlineData(@"f:""a\nb""", "a\nb")]
    [InlineData(@"f:""caf\u00e9""", "café")]
    [InlineData(@"f:""caf\u00E9""", "café")]
    [InlineData(@"f:""\u0041\u0062""", "Ab")]
    [InlineData(@"f:""a\\b""", @"a\b")]
    [InlineData(@"f:""say \""hi\""""", "say \"hi\"")]
    // Any other backslash is itself.
    [InlineData(@"f:""C:\Windows\System32""", @"C:\Windows\System32")]
    [InlineData(@"f:""a\*b""", @"a\*b")]
    [InlineData(@"f:""a\(b\)""", @"a\(b\)")]
    [InlineData(@"f:""\u12""", @"\u12")]
    [InlineData(@"f:""\x41""", @"\x41")]
    [InlineData(@"f:""end\\""", @"end\")]
    public void Quoted_escapes_are_t_r_n_uXXXX_backslash_and_quote(string query, string text) =>
        Assert.Equal(text, SingleValue(query).Text);

    [Fact]
    public void An_unterminated_quoted_string_is_reported_at_its_opening_quote()
    {
        var error = Error("f:\"abc and g:x");
        Assert.Equal(2, error.Position);
        Assert.Contains("not closed", error.Message);
    }

    [Fact]
    public void A_quote_escaped_at_the_end_does_not_close_the_string() =>
        Assert.Equal(2, Error("f:\"abc\\\"").Position);

    // ---- unquoted values and their escapes ------------------------------------------------------------------

    [Theory]
    [InlineData(@"f:a\\b", @"a\b")]
    [InlineData(@"f:\(a\)", "(a)")]
    [InlineData(@"f:a\:b", "a:b")]
    [InlineData(@"f:\<a\>", "<a>")]
    [InlineData(@"f:a\""b", "a\"b")]
    [InlineData(@"f:a\*b", "a*b")]
    [InlineData(@"f:\{a\}", "{a}")]
    [InlineData(@"f:a\tb", "a\tb")]
    [InlineData(@"f:a\rb", "a\rb")]
    [InlineData(@"f:a\nb", "a\nb")]
    [InlineData(@"f:caf\u00e9", "café")]
    [InlineData(@"f:\u00C9t\u00e9", "Été")]
    [InlineData(@"f:C\:\\Windows\\System32\\cmd.exe", @"C:\Windows\System32\cmd.exe")]
    public void Unquoted_escapes_resolve_specials_whitespace_and_unicode(string query, string text)
    {
        var literal = SingleValue(query);
        Assert.False(literal.Quoted);
        Assert.Equal(KqlLiteralKind.Text, literal.Kind);
        Assert.Equal(text, literal.Text);
    }

    [Theory]
    [InlineData(@"f:\or", "or")]
    [InlineData(@"f:\OR", "OR")]
    [InlineData(@"f:\and", "and")]
    [InlineData(@"f:\AnD", "AnD")]
    [InlineData(@"f:\NOT", "NOT")]
    [InlineData(@"f:a \or b", "a or b")]
    [InlineData(@"f:a \and b", "a and b")]
    [InlineData(@"f:x \Not y", "x Not y")]
    // EscapedWhitespace comes before EscapedKeyword in the grammar: the "\n" of "\not" is a newline (which the
    // trimming of unquoted values then drops at the start).
    [InlineData(@"f:a\not", "a\not")]
    [InlineData(@"f:\not", "ot")]
    public void Escaped_keywords_are_text(string query, string text) =>
        Assert.Equal(text, SingleValue(query).Text);

    [Theory]
    [InlineData(@"f:a\qb", 3)]
    [InlineData(@"f:a\ b", 3)]
    [InlineData(@"f:a\", 3)]
    [InlineData(@"f:\u12", 2)]
    public void Other_unquoted_backslashes_are_errors_at_the_backslash(string query, int position)
    {
        var error = Error(query);
        Assert.Equal(position, error.Position);
        Assert.Contains("backslash", error.Message);
    }

    [Theory]
    [InlineData("f:hello world", "hello world")]
    [InlineData("f:  hello world  ", "hello world")]
    [InlineData("f:hello   world", "hello   world")]
    [InlineData("f:Program Files (x86)", null)]
    [InlineData("f:a\t", "a")]
    // Kibana trims the joined characters, escaped whitespace included (JavaScript's trim).
    [InlineData(@"f:a\t", "a")]
    [InlineData(@"f:\n a \r", "a")]
    [InlineData(@"f:\u00a0a\u2028", "a")]
    // U+0085 is not JavaScript whitespace: it stays.
    [InlineData(@"f:a\u0085", "a\u0085")]
    [InlineData(@"f:\t", "")]
    public void Unquoted_values_may_hold_spaces_and_are_trimmed(string query, string? text)
    {
        if (text is null)
        {
            // '(' is special: the value stops before it, and "(x86)" cannot follow a value.
            Error(query);
            return;
        }
        Assert.Equal(text, SingleValue(query).Text);
    }

    [Theory]
    [InlineData("f:hello world and g:x", "(and (is 'f' 'hello world') (is 'g' 'x'))")]
    [InlineData("f:hello world or g:x", "(or (is 'f' 'hello world') (is 'g' 'x'))")]
    [InlineData("f:hello world and not g:x", "(and (is 'f' 'hello world') (not (is 'g' 'x')))")]
    [InlineData("f:hello\nworld\nand\ng:x", "(and (is 'f' 'hello\\nworld') (is 'g' 'x'))")]
    [InlineData("f:a b c", "(is 'f' 'a b c')")]
    public void Unquoted_values_stop_before_keywords(string query, string expected) =>
        Assert.Equal(expected, Tree(query));

    // ---- wildcards ------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("f:a*", "a*")]
    [InlineData("f:*a", "*a")]
    [InlineData("f:*a*", "*a*")]
    [InlineData("f:a*b*c", "a*b*c")]
    [InlineData("f:a**b", "a*b")]
    [InlineData(@"f:a*b\*c", @"a*b\*c")]
    [InlineData(@"f:*\\*", @"*\\*")]
    [InlineData("f:a?b*", @"a\?b*")]
    [InlineData("f:C:*", null)]
    [InlineData("f:Program Files*", "Program Files*")]
    [InlineData("f:a * ", "a *")]
    [InlineData("f:**", "*")]
    public void Star_is_a_wildcard_anywhere_in_unquoted_values(string query, string? pattern)
    {
        if (pattern is null)
        {
            Error(query); // ':' is special and must be escaped
            return;
        }
        var literal = SingleValue(query);
        Assert.Equal(KqlLiteralKind.Wildcard, literal.Kind);
        Assert.Equal(pattern, literal.Pattern.ToString());
    }

    [Theory]
    [InlineData("f:a?b", "a?b")]
    [InlineData("f:?", "?")]
    [InlineData(@"f:a\*", "a*")]
    public void Question_mark_and_escaped_star_are_literal(string query, string text)
    {
        var literal = SingleValue(query);
        Assert.Equal(KqlLiteralKind.Text, literal.Kind);
        Assert.False(literal.Pattern.HasWildcards);
        Assert.Equal(text, literal.Text);
    }

    [Theory]
    [InlineData("f:*")]
    [InlineData("f: * ")]
    [InlineData("f :*")]
    [InlineData("\"f\":*")]
    public void A_lone_star_value_is_exists(string query) => Assert.True(SingleValue(query).IsLoneWildcard);

    [Theory]
    [InlineData("file.hash.*:*", "(is w'file.hash.*' w'*')")]
    [InlineData("file.hash.*:abc", "(is w'file.hash.*' 'abc')")]
    [InlineData("*.name:x", "(is w'*.name' 'x')")]
    [InlineData("*:*", "(is w'*' w'*')")]
    [InlineData("*:x", "(is w'*' 'x')")]
    public void Field_names_may_hold_wildcards(string query, string expected) =>
        Assert.Equal(expected, Tree(query));

    // ---- exists, ranges, nested -----------------------------------------------------------------------------

    [Theory]
    [InlineData("f<5", "(range 'f' < '5')")]
    [InlineData("f <= 5", "(range 'f' <= '5')")]
    [InlineData("f>5", "(range 'f' > '5')")]
    [InlineData("f >= -1.5", "(range 'f' >= '-1.5')")]
    [InlineData("f < \"5\"", "(range 'f' < \"5\")")]
    [InlineData("@timestamp >= 2021-01-01", "(range '@timestamp' >= '2021-01-01')")]
    [InlineData("f > 1 and f < 10", "(and (range 'f' > '1') (range 'f' < '10'))")]
    [InlineData("\"f\" > 1", "(range \"f\" > '1')")]
    [InlineData("f>=1e3", "(range 'f' >= '1e3')")]
    public void Ranges_use_lt_lte_gt_gte(string query, string expected) =>
        Assert.Equal(expected, Tree(query));

    [Theory]
    [InlineData("f:<5", 2)]
    [InlineData("f <", 3)]
    [InlineData("f < < 5", 4)]
    public void Malformed_ranges_are_errors(string query, int position) =>
        Assert.Equal(position, Error(query).Position);

    [Theory]
    [InlineData("user:{ first:a and last:b }", "(nested 'user' (and (is 'first' 'a') (is 'last' 'b')))")]
    [InlineData("user:{first:a}", "(nested 'user' (is 'first' 'a'))")]
    [InlineData("user : { first:a }", "(nested 'user' (is 'first' 'a'))")]
    [InlineData("a:{ b:{ c:1 } }", "(nested 'a' (nested 'b' (is 'c' '1')))")]
    [InlineData("a:{ b:1 or not c:(x or y) }", "(nested 'a' (or (is 'b' '1') (not (is 'c' (or 'x' 'y')))))")]
    [InlineData("a:{ n > 5 }", "(nested 'a' (range 'n' > '5'))")]
    [InlineData("a:{ b:* } and c:1", "(and (nested 'a' (is 'b' w'*')) (is 'c' '1'))")]
    public void Nested_queries_put_a_query_in_braces(string query, string expected) =>
        Assert.Equal(expected, Tree(query));

    [Theory]
    [InlineData("a:{ b:1 ", 8)]
    [InlineData("a:{}", 3)]
    [InlineData("a:{ b:1 } }", 10)]
    public void Malformed_nested_queries_are_errors(string query, int position) =>
        Assert.Equal(position, Error(query).Position);

    // ---- booleans, null, numbers, IPs, field-less values, the empty query -----------------------------------

    [Theory]
    [InlineData("f:true", "(is 'f' true)")]
    [InlineData("f:false", "(is 'f' false)")]
    [InlineData("f: true ", "(is 'f' true)")]
    [InlineData("f:null", "(is 'f' null)")]
    // Only lower case is special.
    [InlineData("f:TRUE", "(is 'f' 'TRUE')")]
    [InlineData("f:False", "(is 'f' 'False')")]
    [InlineData("f:NULL", "(is 'f' 'NULL')")]
    [InlineData("f:true*", "(is 'f' w'true*')")]
    [InlineData("f:(true or false)", "(is 'f' (or true false))")]
    public void Lower_case_true_false_and_null_are_special(string query, string expected) =>
        Assert.Equal(expected, Tree(query));

    [Theory]
    [InlineData("f:403", "403")]
    [InlineData("f:-1", "-1")]
    [InlineData("f:1.5", "1.5")]
    [InlineData("f:1e3", "1e3")]
    [InlineData("f:0x1F", "0x1F")]
    [InlineData("source.ip:10.0.0.1", "10.0.0.1")]
    [InlineData("source.ip:10.0.0.0/8", "10.0.0.0/8")]
    [InlineData(@"source.ip:fe80\:\:1", "fe80::1")]
    [InlineData("source.ip:\"2001:db8::/32\"", "2001:db8::/32")]
    public void Numbers_and_addresses_are_text_until_lowering(string query, string text)
    {
        var literal = SingleValue(query);
        Assert.Equal(KqlLiteralKind.Text, literal.Kind);
        Assert.Equal(text, literal.Text);
    }

    [Fact]
    public void An_unescaped_colon_in_an_ipv6_value_is_an_error() =>
        Assert.Equal(14, Error("source.ip:fe80::1").Position);

    [Fact]
    public void An_equals_sign_is_no_operator_but_text() =>
        Assert.Equal("(is _ 'f = 5')", Tree("f = 5"));

    [Theory]
    [InlineData("hello", "(is _ 'hello')")]
    [InlineData("hello world", "(is _ 'hello world')")]
    [InlineData("hel*", "(is _ w'hel*')")]
    [InlineData("*", "(is _ w'*')")]
    [InlineData("a or b:1", "(or (is _ 'a') (is 'b' '1'))")]
    public void Values_without_a_field_search_every_field(string query, string expected) =>
        Assert.Equal(expected, Tree(query));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\n\t\r\n")]
    [InlineData("\u00a0")]
    public void The_empty_query_matches_everything(string query) => Assert.Equal("(all)", Tree(query));

    // ---- error messages -------------------------------------------------------------------------------------

    [Fact]
    public void Error_messages_say_what_was_expected_and_what_was_found()
    {
        var error = Error("a:1 and b:(x or y");
        Assert.Equal(17, error.Position);
        Assert.Equal(0, error.Length);
        Assert.Equal("expected \")\", AND or OR but found end of query", error.Message);
    }

    [Fact]
    public void Error_messages_list_expected_tokens_of_kibanas_grammar()
    {
        var error = Error("a:1 and )");
        Assert.Equal(8, error.Position);
        Assert.Equal(1, error.Length);
        Assert.Equal("expected \"(\", NOT, field name or value but found \")\"", error.Message);
    }

    [Fact]
    public void Parsing_never_throws_on_random_text()
    {
        var random = new Random(20261127);
        const string alphabet = "ab:*\\\"(){}<>= \t\nornotand.u0123456789é";
        for (var i = 0; i < 5000; i++)
        {
            var chars = new char[random.Next(0, 30)];
            for (var j = 0; j < chars.Length; j++) chars[j] = alphabet[random.Next(alphabet.Length)];
            var query = new string(chars);
            var (tree, error) = KqlParser.Parse(query);
            Assert.True((tree is null) != (error is null), query);
            if (error is not null) Assert.InRange(error.Position, 0, query.Length);
        }
    }

    [Fact]
    public void Parentheses_nest_up_to_the_limit()
    {
        var depth = KqlParser.MaxNesting;
        var query = new string('(', depth) + "a:1" + new string(')', depth);
        Assert.Equal("(is 'a' '1')", Tree(query));
    }

    [Theory]
    [InlineData("", "(", "a:1", ")")]
    [InlineData("f:", "(", "a", ")")]
    [InlineData("", "a:{", "b:1", "}")]
    [InlineData("", "not (", "a:1", ")")]
    public void Nesting_beyond_the_limit_is_an_error_not_a_stack_overflow(string prefix, string open, string middle, string close)
    {
        const int depth = 100_000;
        var query = prefix + string.Concat(Enumerable.Repeat(open, depth)) + middle + string.Concat(Enumerable.Repeat(close, depth));
        var error = Error(query);
        Assert.Contains("nest more than", error.Message);
        // At the first bracket beyond the limit.
        Assert.Equal(prefix.Length + open.Length * KqlParser.MaxNesting + open.Length - 1, error.Position);
    }

    private static KqlLiteral SingleValue(string query)
    {
        var (tree, error) = KqlParser.Parse(query);
        Assert.True(tree is not null, $"'{query}' should parse, but: {error?.Message} at {error?.Position}");
        var fieldQuery = Assert.IsType<KqlFieldQuery>(tree);
        return Assert.IsType<KqlValue>(fieldQuery.Values).Literal;
    }
}
