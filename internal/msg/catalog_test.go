package msg

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// idArgs names the functions whose argument at the given position is a
// message id, by package name and function name; a call from inside the
// package uses the bare name. A new localizing function goes here.
var idArgs = map[string]int{
	"plan.Errorf":     2,
	"msg.Errorf":      0,
	"msg.Sprintf":     1,
	"msg.Fprintf":     2,
	"msg.Key":         0,
	"main.usageError": 0,
	"main.say":        1,
}

// use is one message id found in the code.
type use struct {
	id  string
	pos string
}

// usedIDs parses every non-test .go file of the module and returns the
// message ids passed to the functions of idArgs, and the places where one
// of them gets a format that is not a literal (or a constant made of one).
func usedIDs(t *testing.T, root string) (ids []use, bad []string) {
	t.Helper()
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		consts := stringConsts(f)
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			i, ok := idArgs[callee(f.Name.Name, call.Fun)]
			if !ok || i >= len(call.Args) {
				return true
			}
			arg := call.Args[i]
			pos := fset.Position(arg.Pos())
			where := filepath.ToSlash(strings.TrimPrefix(pos.Filename, root+string(filepath.Separator))) + ":" + strconv.Itoa(pos.Line)
			if id, ok := literal(arg, consts); ok {
				ids = append(ids, use{id, where})
			} else if !forwards(arg) {
				bad = append(bad, where)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids, bad
}

// callee names a called function as "pkg.Func"; a bare name is taken to
// be of the calling file's own package.
func callee(pkg string, fun ast.Expr) string {
	switch f := fun.(type) {
	case *ast.Ident:
		return pkg + "." + f.Name
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); ok {
			return x.Name + "." + f.Sel.Name
		}
	}
	return ""
}

// forwards reports whether a non-literal id passes on one found
// elsewhere: a parameter named format, the Format of an error, or the
// title of the API's kind table (written with msg.Key).
func forwards(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name == "format"
	case *ast.SelectorExpr:
		return x.Sel.Name == "Format" || x.Sel.Name == "title"
	}
	return false
}

// stringConsts returns the file's string constants, and its variables
// assigned a literal with :=, by name.
func stringConsts(f *ast.File) map[string]string {
	m := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		if a, ok := n.(*ast.AssignStmt); ok && a.Tok == token.DEFINE && len(a.Lhs) == 1 && len(a.Rhs) == 1 {
			if id, ok := a.Lhs[0].(*ast.Ident); ok {
				if v, ok := literal(a.Rhs[0], nil); ok {
					m[id.Name] = v
				}
			}
		}
		return true
	})
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if i < len(vs.Values) {
					if v, ok := literal(vs.Values[i], nil); ok {
						m[n.Name] = v
					}
				}
			}
		}
	}
	return m
}

// literal evaluates a string literal, a concatenation of them or a
// constant of consts.
func literal(e ast.Expr, consts map[string]string) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(x.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			return "", false
		}
		a, ok1 := literal(x.X, consts)
		b, ok2 := literal(x.Y, consts)
		return a + b, ok1 && ok2
	case *ast.ParenExpr:
		return literal(x.X, consts)
	case *ast.Ident:
		s, ok := consts[x.Name]
		return s, ok
	}
	return "", false
}

// neutral reports whether a format has no words to translate, such as
// "%v" or "%s: %s".
func neutral(id string) bool {
	for i := 0; i < len(id); i++ {
		if id[i] == '%' {
			i++ // skip flags and width up to the verb
			for i < len(id) && strings.IndexByte("+-# 0123456789.[]", id[i]) >= 0 {
				i++
			}
			continue
		}
		if unicode.IsLetter(rune(id[i])) {
			return false
		}
	}
	return true
}

// TestCatalogIsComplete walks every message id in the code: each has a
// Chinese text, every Chinese text belongs to an id still in use, and
// every call gets its id as a literal the walk can read.
func TestCatalogIsComplete(t *testing.T) {
	ids, bad := usedIDs(t, filepath.Join("..", ".."))
	for _, b := range bad {
		t.Errorf("%s: the message id is not a string literal; write the English format where the message is made", b)
	}
	if len(ids) < 50 {
		t.Fatalf("found %d message ids in the code, want the repository's hundreds: is the walk broken?", len(ids))
	}
	used := map[string]bool{}
	var missing []string
	for _, u := range ids {
		used[u.id] = true
		if _, ok := chinese[u.id]; !ok && !neutral(u.id) {
			missing = append(missing, u.pos+": "+strconv.Quote(u.id))
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("%s has no Chinese text in catalog.go", m)
	}
	var unused []string
	for id := range chinese {
		if !used[id] {
			unused = append(unused, strconv.Quote(id))
		}
	}
	sort.Strings(unused)
	for _, u := range unused {
		t.Errorf("catalog.go holds %s, which no code uses", u)
	}
	t.Logf("%d uses of %d message ids; %d Chinese texts", len(ids), len(used), len(chinese))
}

// TestTranslationsKeepVerbs: a translation with other verbs than its id
// would print %!d(string=...) or drop an argument.
func TestTranslationsKeepVerbs(t *testing.T) {
	for id, zh := range chinese {
		if a, b := verbs(id), verbs(zh); a != b {
			t.Errorf("%q: verbs %q, but the Chinese %q has %q", id, a, zh, b)
		}
	}
}

// verbs lists a format's verbs sorted, so explicit argument indexes may
// reorder them.
func verbs(f string) string {
	var vs []string
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(f) && strings.IndexByte("+-# 0123456789.", f[j]) >= 0 {
			j++
		}
		if j < len(f) && f[j] == '[' {
			for j < len(f) && f[j] != ']' {
				j++
			}
			j++
		}
		if j < len(f) {
			if f[j] != '%' {
				vs = append(vs, string(f[j]))
			}
		}
		i = j
	}
	sort.Strings(vs)
	return strings.Join(vs, "")
}
