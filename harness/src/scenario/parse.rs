//! Parses step lines: `STATEMENT [-> VALUE | !! EXCEPTION] [if CONDITION]`.
//!
//! Errors carry the character offset in the line where the parser stopped and
//! what it expected there, so the loader can point at `file:line:column`.

use mmap_reference::{Platform, PyVersion};

use super::ast::{BinOp, CmpOp, Cond, CondAtom, Expect, Expr, OS_ERRORS, Raise, Stmt};

/// A syntax error at a character offset of the parsed text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// Offset in characters from the start of the text.
    pub offset: usize,
    /// What was expected and what was found.
    pub message: String,
}

type Result<T> = std::result::Result<T, SyntaxError>;

/// Positional and keyword arguments of a call.
type CallArgs = (Vec<Expr>, Vec<(String, Expr)>);

/// A parsed step line.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// The statement.
    pub stmt: Stmt,
    /// The statement's own text, trimmed, as transcripts show it.
    pub stmt_text: String,
    /// The expected outcome (`Returns` when the line has none).
    pub expect: Expect,
    /// The condition after `if`, if any.
    pub cond: Option<Cond>,
}

/// Parses a whole step line.
pub fn parse_line(text: &str) -> Result<Line> {
    let mut p = Parser::new(text)?;
    let stmt = p.stmt()?;
    let stmt_end = p.offset();
    let expect = p.outcome()?;
    let cond = p.condition()?;
    p.expect_end()?;
    let stmt_text = p.source_between(0, stmt_end).trim().to_owned();
    Ok(Line {
        stmt,
        stmt_text,
        expect,
        cond,
    })
}

/// Parses a bare outcome, as in `one_of: ["-> None", "!! ValueError('x')"]`.
pub fn parse_outcome(text: &str) -> Result<Expect> {
    let mut p = Parser::new(text)?;
    let expect = p.outcome()?;
    if expect == Expect::Returns {
        return Err(p.error("`-> VALUE` or `!! EXCEPTION`"));
    }
    p.expect_end()?;
    Ok(expect)
}

/// Parses a `with:` header, `EXPR as NAME`; returns the text of EXPR too.
pub fn parse_with(text: &str) -> Result<(Expr, String, String, Expect)> {
    let mut p = Parser::new(text)?;
    let expr = p.expr()?;
    let expr_end = p.offset();
    if !p.eat_keyword("as") {
        return Err(p.error("`as NAME`"));
    }
    let name = p.name()?;
    let expect = p.outcome()?;
    p.expect_end()?;
    Ok((
        expr,
        name,
        p.source_between(0, expr_end).trim().to_owned(),
        expect,
    ))
}

/// Parses a standalone expression (a scenario's `file:` content).
pub fn parse_expr(text: &str) -> Result<Expr> {
    let mut p = Parser::new(text)?;
    let e = p.expr()?;
    p.expect_end()?;
    Ok(e)
}

/// Parses a `when.python` requirement: `">=3.3, <3.13"`.
pub fn parse_version_req(text: &str) -> Result<Vec<(CmpOp, PyVersion)>> {
    let mut p = Parser::new(text)?;
    let mut out = vec![];
    loop {
        let op = p.cmp_op()?;
        out.push((op, p.version()?));
        if !p.eat(&Tok::Comma) {
            break;
        }
    }
    p.expect_end()?;
    Ok(out)
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Name(String),
    /// A number as written, parsed by its user (ints, floats and versions share it).
    Number(String),
    Bytes(Vec<u8>),
    Str(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Colon,
    Dot,
    Assign,
    Arrow,
    Bang,
    Plus,
    Minus,
    Star,
    DoubleStar,
    DoubleSlash,
    Cmp(CmpOp),
    End,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Name(n) => format!("`{n}`"),
            Tok::Number(n) => format!("`{n}`"),
            Tok::Bytes(_) => "a bytes literal".into(),
            Tok::Str(_) => "a string literal".into(),
            Tok::End => "the end of the line".into(),
            other => format!("`{}`", other.symbol()),
        }
    }

    fn symbol(&self) -> &'static str {
        match self {
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::Comma => ",",
            Tok::Colon => ":",
            Tok::Dot => ".",
            Tok::Assign => "=",
            Tok::Arrow => "->",
            Tok::Bang => "!!",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::DoubleStar => "**",
            Tok::DoubleSlash => "//",
            Tok::Cmp(op) => op.symbol(),
            _ => "",
        }
    }
}

struct Parser {
    chars: Vec<char>,
    toks: Vec<(Tok, usize)>,
    pos: usize,
}

impl Parser {
    fn new(text: &str) -> Result<Self> {
        let chars: Vec<char> = text.chars().collect();
        let toks = lex(&chars)?;
        Ok(Self {
            chars,
            toks,
            pos: 0,
        })
    }

    fn peek(&self) -> &Tok {
        &self.toks[self.pos.min(self.toks.len() - 1)].0
    }

    fn peek_at(&self, n: usize) -> &Tok {
        &self.toks[(self.pos + n).min(self.toks.len() - 1)].0
    }

    fn offset(&self) -> usize {
        self.toks[self.pos.min(self.toks.len() - 1)].1
    }

    fn source_between(&self, a: usize, b: usize) -> String {
        self.chars[a..b].iter().collect()
    }

    /// Takes the next token; past the end it keeps returning `End`, and a
    /// caller may step back with `self.pos -= 1`.
    fn bump(&mut self) -> Tok {
        let t = self.peek().clone();
        self.pos += 1;
        t
    }

    fn error(&self, expected: &str) -> SyntaxError {
        SyntaxError {
            offset: self.offset(),
            message: format!("expected {expected}, found {}", self.peek().describe()),
        }
    }

    fn eat(&mut self, t: &Tok) -> bool {
        if self.peek() == t {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect_tok(&mut self, t: Tok) -> Result<()> {
        if self.eat(&t) {
            Ok(())
        } else {
            Err(self.error(&format!("`{}`", t.symbol())))
        }
    }

    fn is_keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Name(n) if n == kw)
    }

    fn eat_keyword(&mut self, kw: &str) -> bool {
        if self.is_keyword(kw) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect_end(&mut self) -> Result<()> {
        if *self.peek() == Tok::End {
            Ok(())
        } else {
            Err(self.error("the end of the line (an outcome `-> VALUE` or `!! EXCEPTION`, then `if CONDITION`)"))
        }
    }

    fn name(&mut self) -> Result<String> {
        match self.peek().clone() {
            Tok::Name(n) if !is_reserved(&n) => {
                self.bump();
                Ok(n)
            }
            _ => Err(self.error("a name")),
        }
    }

    fn stmt(&mut self) -> Result<Stmt> {
        if self.eat_keyword("del") {
            let target = self.postfix()?;
            return match target {
                Expr::Subscript(obj, key) => Ok(Stmt::DelItem(*obj, *key)),
                _ => Err(self.error("a subscript after `del` (`del m[0]`)")),
            };
        }
        if let (Tok::Name(n), Tok::Assign) = (self.peek().clone(), self.peek_at(1)) {
            if !is_reserved(&n) {
                self.bump();
                self.bump();
                return Ok(Stmt::Bind(n, self.expr()?));
            }
        }
        let e = self.expr()?;
        if self.eat(&Tok::Assign) {
            return match e {
                Expr::Subscript(obj, key) => Ok(Stmt::SetItem(*obj, *key, self.expr()?)),
                Expr::Attr(obj, name) => Ok(Stmt::SetAttr(*obj, name, self.expr()?)),
                _ => Err(SyntaxError {
                    offset: self.toks[self.pos - 1].1,
                    message: "expected a name, a subscript or an attribute before `=`".into(),
                }),
            };
        }
        Ok(Stmt::Expr(e))
    }

    fn outcome(&mut self) -> Result<Expect> {
        if self.eat(&Tok::Arrow) {
            return Ok(Expect::Value(self.expr()?));
        }
        if self.eat(&Tok::Bang) {
            return self.raise();
        }
        Ok(Expect::Returns)
    }

    fn raise(&mut self) -> Result<Expect> {
        let start = self.offset();
        let mut type_name = match self.bump() {
            Tok::Name(n) => n,
            _ => {
                self.pos -= 1;
                return Err(
                    self.error("an exception class (`ValueError(\"...\")`) or a signal (`SIGBUS`)")
                );
            }
        };
        if type_name.starts_with("SIG") && type_name.chars().all(|c| c.is_ascii_uppercase()) {
            return Ok(Expect::Crash(type_name));
        }
        while self.eat(&Tok::Dot) {
            type_name = format!("{type_name}.{}", self.name()?);
        }
        if !type_name.ends_with("Error")
            && !type_name.ends_with("error")
            && !type_name.ends_with("Exception")
        {
            return Err(SyntaxError {
                offset: start,
                message: format!(
                    "expected an exception class (a name ending in `Error`) or a signal, found `{type_name}`"
                ),
            });
        }
        let os_error = OS_ERRORS.contains(&type_name.as_str());
        if !self.eat(&Tok::LParen) {
            return Ok(Expect::Raises(Raise {
                type_name,
                message: None,
                errno: None,
            }));
        }
        let raise = if os_error {
            let errno = match self.bump() {
                Tok::Number(n) => n.parse::<i32>().ok(),
                _ => None,
            };
            let Some(errno) = errno else {
                self.pos -= 1;
                return Err(self.error(&format!(
                    "an errno, as in `{type_name}(22, \"Invalid argument\")`"
                )));
            };
            self.expect_tok(Tok::Comma)?;
            let Tok::Str(strerror) = self.bump() else {
                self.pos -= 1;
                return Err(self.error("the strerror text as a string literal"));
            };
            // `OSError(22, "The parameter is incorrect", None, 87)`: the
            // arguments of a Windows error, whose str() names the winerror.
            let message = if self.eat(&Tok::Comma) {
                if !self.eat_keyword("None") {
                    return Err(self.error("`None` (the filename) before a winerror"));
                }
                self.expect_tok(Tok::Comma)?;
                let winerror = match self.bump() {
                    Tok::Number(n) => n.parse::<i32>().ok(),
                    _ => None,
                };
                let Some(winerror) = winerror else {
                    self.pos -= 1;
                    return Err(self.error(&format!(
                        "a winerror, as in `{type_name}(22, \"The parameter is incorrect\", None, 87)`"
                    )));
                };
                format!("[WinError {winerror}] {strerror}")
            } else {
                format!("[Errno {errno}] {strerror}")
            };
            Raise {
                type_name,
                message: Some(message),
                errno: Some(errno),
            }
        } else {
            let Tok::Str(message) = self.bump() else {
                self.pos -= 1;
                return Err(self.error("the exception's message as a string literal"));
            };
            Raise {
                type_name,
                message: Some(message),
                errno: None,
            }
        };
        self.expect_tok(Tok::RParen)?;
        Ok(Expect::Raises(raise))
    }

    fn condition(&mut self) -> Result<Option<Cond>> {
        if !self.eat_keyword("if") {
            return Ok(None);
        }
        let mut atoms = vec![self.cond_atom()?];
        while self.eat_keyword("and") {
            atoms.push(self.cond_atom()?);
        }
        Ok(Some(Cond(atoms)))
    }

    fn cond_atom(&mut self) -> Result<CondAtom> {
        if self.eat_keyword("python") {
            let op = self.cmp_op()?;
            return Ok(CondAtom::Python(op, self.version()?));
        }
        let negated = self.eat_keyword("not");
        let platforms = match self.peek() {
            Tok::Name(n) if n == "unix" => vec![Platform::Linux, Platform::MacOs],
            Tok::Name(n) => match n.parse::<Platform>() {
                Ok(p) => vec![p],
                Err(_) => {
                    return Err(self.error(
                        "a condition: `python OP X.Y`, `linux`, `macos`, `windows`, `unix` or `not PLATFORM`",
                    ));
                }
            },
            _ => {
                return Err(self.error(
                    "a condition: `python OP X.Y`, `linux`, `macos`, `windows`, `unix` or `not PLATFORM`",
                ));
            }
        };
        self.bump();
        Ok(CondAtom::Platform { negated, platforms })
    }

    fn cmp_op(&mut self) -> Result<CmpOp> {
        match self.peek() {
            Tok::Cmp(op) => {
                let op = *op;
                self.bump();
                Ok(op)
            }
            _ => Err(self.error("a comparison (`<`, `<=`, `==`, `!=`, `>=`, `>`)")),
        }
    }

    fn version(&mut self) -> Result<PyVersion> {
        match self.peek() {
            Tok::Number(n) => match n.parse::<PyVersion>() {
                Ok(v) => {
                    self.bump();
                    Ok(v)
                }
                Err(_) => Err(self.error("a Python version `X.Y`")),
            },
            _ => Err(self.error("a Python version `X.Y`")),
        }
    }

    fn expr(&mut self) -> Result<Expr> {
        let left = self.arith()?;
        if self.eat_keyword("in") {
            return Ok(Expr::In(Box::new(left), Box::new(self.arith()?)));
        }
        Ok(left)
    }

    fn arith(&mut self) -> Result<Expr> {
        let mut left = self.term()?;
        loop {
            let op = match self.peek() {
                Tok::Plus => BinOp::Add,
                Tok::Minus => BinOp::Sub,
                _ => return Ok(left),
            };
            self.bump();
            left = Expr::BinOp(op, Box::new(left), Box::new(self.term()?));
        }
    }

    fn term(&mut self) -> Result<Expr> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Star => BinOp::Mul,
                Tok::DoubleSlash => BinOp::FloorDiv,
                _ => return Ok(left),
            };
            self.bump();
            left = Expr::BinOp(op, Box::new(left), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Expr> {
        if self.eat(&Tok::Minus) {
            return Ok(match self.unary()? {
                Expr::Int(i) => Expr::Int(-i),
                Expr::Float(x) => Expr::Float(-x),
                e => Expr::Neg(Box::new(e)),
            });
        }
        let base = self.postfix()?;
        if self.eat(&Tok::DoubleStar) {
            return Ok(Expr::BinOp(
                BinOp::Pow,
                Box::new(base),
                Box::new(self.unary()?),
            ));
        }
        Ok(base)
    }

    fn postfix(&mut self) -> Result<Expr> {
        let mut e = self.atom()?;
        loop {
            if self.eat(&Tok::LParen) {
                let (args, kwargs) = self.call_args()?;
                e = Expr::Call {
                    func: Box::new(e),
                    args,
                    kwargs,
                };
            } else if self.eat(&Tok::Dot) {
                e = Expr::Attr(Box::new(e), self.name()?);
            } else if self.eat(&Tok::LBracket) {
                let key = self.subscript()?;
                self.expect_tok(Tok::RBracket)?;
                e = Expr::Subscript(Box::new(e), Box::new(key));
            } else {
                return Ok(e);
            }
        }
    }

    fn subscript(&mut self) -> Result<Expr> {
        let start = if matches!(self.peek(), Tok::Colon) {
            None
        } else {
            Some(self.expr()?)
        };
        if !self.eat(&Tok::Colon) {
            return start.ok_or_else(|| self.error("an index or a slice"));
        }
        let bound = |p: &mut Self| -> Result<Option<Box<Expr>>> {
            Ok(if matches!(p.peek(), Tok::Colon | Tok::RBracket) {
                None
            } else {
                Some(Box::new(p.expr()?))
            })
        };
        let stop = bound(self)?;
        let step = if self.eat(&Tok::Colon) {
            bound(self)?
        } else {
            None
        };
        Ok(Expr::Slice(start.map(Box::new), stop, step))
    }

    fn call_args(&mut self) -> Result<CallArgs> {
        let mut args = vec![];
        let mut kwargs: Vec<(String, Expr)> = vec![];
        while !self.eat(&Tok::RParen) {
            if let (Tok::Name(n), Tok::Assign) = (self.peek().clone(), self.peek_at(1)) {
                self.bump();
                self.bump();
                kwargs.push((n, self.expr()?));
            } else if kwargs.is_empty() {
                args.push(self.expr()?);
            } else {
                return Err(self.error("a keyword argument (positional arguments come first)"));
            }
            if !self.eat(&Tok::Comma) {
                self.expect_tok(Tok::RParen)?;
                break;
            }
        }
        Ok((args, kwargs))
    }

    fn atom(&mut self) -> Result<Expr> {
        let offset = self.offset();
        match self.bump() {
            Tok::Name(n) => Ok(match n.as_str() {
                "None" => Expr::None,
                "True" => Expr::Bool(true),
                "False" => Expr::Bool(false),
                _ if is_reserved(&n) => {
                    self.pos -= 1;
                    return Err(self.error("an expression"));
                }
                _ => Expr::Name(n),
            }),
            Tok::Number(n) => parse_number(&n).ok_or(SyntaxError {
                offset,
                message: format!("expected a number that fits in 128 bits, found `{n}`"),
            }),
            Tok::Bytes(b) => Ok(Expr::Bytes(b)),
            Tok::Str(s) => Ok(Expr::Str(s)),
            Tok::LParen => {
                if self.eat(&Tok::RParen) {
                    return Ok(Expr::Tuple(vec![]));
                }
                let first = self.expr()?;
                if self.eat(&Tok::RParen) {
                    return Ok(first);
                }
                let mut items = vec![first];
                while self.eat(&Tok::Comma) {
                    if self.eat(&Tok::RParen) {
                        return Ok(Expr::Tuple(items));
                    }
                    items.push(self.expr()?);
                }
                self.expect_tok(Tok::RParen)?;
                Ok(Expr::Tuple(items))
            }
            Tok::LBracket => {
                let mut items = vec![];
                while !self.eat(&Tok::RBracket) {
                    items.push(self.expr()?);
                    if !self.eat(&Tok::Comma) {
                        self.expect_tok(Tok::RBracket)?;
                        break;
                    }
                }
                Ok(Expr::List(items))
            }
            _ => {
                self.pos -= 1;
                Err(self.error("an expression"))
            }
        }
    }
}

/// Words the grammar uses that cannot be names.
fn is_reserved(n: &str) -> bool {
    matches!(
        n,
        "del" | "in" | "if" | "and" | "not" | "as" | "None" | "True" | "False"
    )
}

fn parse_number(text: &str) -> Option<Expr> {
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    if let Some(hex) = clean
        .strip_prefix("0x")
        .or_else(|| clean.strip_prefix("0X"))
    {
        return i128::from_str_radix(hex, 16).ok().map(Expr::Int);
    }
    if clean.contains(['.', 'e', 'E']) {
        return clean.parse::<f64>().ok().map(Expr::Float);
    }
    clean.parse::<i128>().ok().map(Expr::Int)
}

fn lex(chars: &[char]) -> Result<Vec<(Tok, usize)>> {
    let mut toks = vec![];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
        let tok = match c {
            ' ' | '\t' => {
                i += 1;
                continue;
            }
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            '[' => Tok::LBracket,
            ']' => Tok::RBracket,
            ',' => Tok::Comma,
            ':' => Tok::Colon,
            '.' if !chars.get(i + 1).is_some_and(char::is_ascii_digit) => Tok::Dot,
            _ if two == "->" => Tok::Arrow,
            _ if two == "!!" => Tok::Bang,
            _ if two == "**" => Tok::DoubleStar,
            _ if two == "//" => Tok::DoubleSlash,
            _ if two == "<=" => Tok::Cmp(CmpOp::Le),
            _ if two == ">=" => Tok::Cmp(CmpOp::Ge),
            _ if two == "==" => Tok::Cmp(CmpOp::Eq),
            _ if two == "!=" => Tok::Cmp(CmpOp::Ne),
            '<' => Tok::Cmp(CmpOp::Lt),
            '>' => Tok::Cmp(CmpOp::Gt),
            '=' => Tok::Assign,
            '+' => Tok::Plus,
            '-' => Tok::Minus,
            '*' => Tok::Star,
            _ if (c == 'b' || c == 'B') && matches!(chars.get(i + 1), Some('"' | '\'')) => {
                let (s, end) = lex_string(chars, i + 1, true)?;
                i = end;
                toks.push((Tok::Bytes(s.chars().map(|c| c as u8).collect()), start));
                continue;
            }
            '"' | '\'' => {
                let (s, end) = lex_string(chars, i, false)?;
                i = end;
                toks.push((Tok::Str(s), start));
                continue;
            }
            _ if c.is_ascii_digit() || c == '.' => {
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || chars[i] == '.' || chars[i] == '_')
                {
                    i += 1;
                }
                toks.push((Tok::Number(chars[start..i].iter().collect()), start));
                continue;
            }
            _ if c.is_alphabetic() || c == '_' => {
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                toks.push((Tok::Name(chars[start..i].iter().collect()), start));
                continue;
            }
            _ => {
                return Err(SyntaxError {
                    offset: i,
                    message: format!("unexpected character `{c}`"),
                });
            }
        };
        i += tok.symbol().chars().count().max(1);
        toks.push((tok, start));
    }
    toks.push((Tok::End, chars.len()));
    Ok(toks)
}

/// Lexes a quoted literal starting at the quote `chars[q]`; for bytes, every
/// character of the result is one byte (`\xff` stays one char below 256).
fn lex_string(chars: &[char], q: usize, bytes: bool) -> Result<(String, usize)> {
    let quote = chars[q];
    let mut out = String::new();
    let mut i = q + 1;
    let err = |offset: usize, message: String| SyntaxError { offset, message };
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(err(
                q,
                format!("unterminated string literal (no closing {quote})"),
            ));
        };
        i += 1;
        if c == quote {
            return Ok((out, i));
        }
        if c != '\\' {
            if bytes && !c.is_ascii() {
                return Err(err(
                    i - 1,
                    "bytes literals may only hold ASCII characters; use \\xNN".into(),
                ));
            }
            out.push(c);
            continue;
        }
        let Some(&e) = chars.get(i) else {
            return Err(err(
                i - 1,
                "unterminated escape at the end of the line".into(),
            ));
        };
        i += 1;
        let simple = match e {
            '\\' => Some('\\'),
            '\'' => Some('\''),
            '"' => Some('"'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'a' => Some('\x07'),
            'b' => Some('\x08'),
            'f' => Some('\x0c'),
            'v' => Some('\x0b'),
            _ => None,
        };
        if let Some(s) = simple {
            out.push(s);
        } else if e == 'x' {
            let hex: String = chars
                .get(i..i + 2)
                .map(|h| h.iter().collect())
                .unwrap_or_default();
            let v = u32::from_str_radix(&hex, 16)
                .map_err(|_| err(i - 2, "expected two hex digits after \\x".into()))?;
            out.push(char::from_u32(v).unwrap_or('\0'));
            i += 2;
        } else if e.is_digit(8) {
            let mut v = e.to_digit(8).unwrap_or(0);
            let mut n = 1;
            while n < 3 && chars.get(i).is_some_and(|d| d.is_digit(8)) {
                v = v * 8 + chars[i].to_digit(8).unwrap_or(0);
                i += 1;
                n += 1;
            }
            if bytes && v > 255 {
                return Err(err(
                    i - n - 1,
                    "octal escape above \\377 in a bytes literal".into(),
                ));
            }
            out.push(char::from_u32(v).unwrap_or('\0'));
        } else {
            return Err(err(i - 2, format!("unknown escape `\\{e}`")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(obj: &str, m: &str, args: Vec<Expr>) -> Expr {
        Expr::Call {
            func: Box::new(Expr::Attr(Box::new(Expr::Name(obj.into())), m.into())),
            args,
            kwargs: vec![],
        }
    }

    #[test]
    fn parses_a_call_with_a_value() {
        let l = parse_line(r#"m.find(b"3", 0) -> -1"#).unwrap();
        assert_eq!(
            l.stmt,
            Stmt::Expr(call(
                "m",
                "find",
                vec![Expr::Bytes(b"3".to_vec()), Expr::Int(0)]
            ))
        );
        assert_eq!(l.expect, Expect::Value(Expr::Int(-1)));
        assert_eq!(l.stmt_text, r#"m.find(b"3", 0)"#);
        assert_eq!(l.cond, None);
    }

    #[test]
    fn parses_exceptions_and_conditions() {
        let l = parse_line(
            r#"m.flush() !! OSError(22, "Invalid argument") if python >= 3.8 and linux"#,
        )
        .unwrap();
        assert_eq!(
            l.expect,
            Expect::Raises(Raise {
                type_name: "OSError".into(),
                message: Some("[Errno 22] Invalid argument".into()),
                errno: Some(22)
            })
        );
        let l = parse_line(
            r#"mmap(-1, 0) !! OSError(22, "The parameter is incorrect", None, 87) if windows"#,
        )
        .unwrap();
        assert_eq!(
            l.expect,
            Expect::Raises(Raise {
                type_name: "OSError".into(),
                message: Some("[WinError 87] The parameter is incorrect".into()),
                errno: Some(22)
            })
        );
        let l = parse_line(
            r#"m.flush() !! OSError(22, "Invalid argument") if python >= 3.8 and linux"#,
        )
        .unwrap();
        let cond = l.cond.unwrap();
        assert!(cond.holds(PyVersion::new(3, 8), Platform::Linux));
        assert!(!cond.holds(PyVersion::new(3, 7), Platform::Linux));
        assert!(!cond.holds(PyVersion::new(3, 9), Platform::Windows));
    }

    #[test]
    fn parses_assignment_deletion_and_slices() {
        let l = parse_line(r#"m[1:8:2] = b"abcd""#).unwrap();
        assert!(matches!(
            l.stmt,
            Stmt::SetItem(_, Expr::Slice(Some(_), Some(_), Some(_)), _)
        ));
        let l =
            parse_line("del m[::-1] !! TypeError(\"mmap object doesn't support slice deletion\")")
                .unwrap();
        assert!(matches!(
            l.stmt,
            Stmt::DelItem(_, Expr::Slice(None, None, Some(_)))
        ));
        let l = parse_line("m = mmap(-1, 2 * PAGESIZE, access=ACCESS_WRITE)").unwrap();
        assert!(
            matches!(l.stmt, Stmt::Bind(ref n, Expr::Call { ref kwargs, .. }) if n == "m" && kwargs.len() == 1)
        );
    }

    #[test]
    fn bytes_escapes_are_bytes() {
        let l = parse_line(r#"m.read() -> b"\x00\xff\n'""#).unwrap();
        assert_eq!(
            l.expect,
            Expect::Value(Expr::Bytes(vec![0, 0xff, b'\n', b'\'']))
        );
    }

    #[test]
    fn errors_point_at_the_offending_character() {
        let e = parse_line("m.find(b\"3\" -> 1").unwrap_err();
        assert_eq!(e.offset, 12);
        assert_eq!(e.message, "expected `)`, found `->`");
        let e = parse_line("m.seek(0) -> None if pyhton >= 3.8").unwrap_err();
        assert_eq!(e.offset, 21);
        let e = parse_line("m.tell() !! Oops").unwrap_err();
        assert_eq!(e.offset, 12);
    }
}
