package extract

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

func encode(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode %q: %v", s, err)
	}
	return b
}

func TestDecode(t *testing.T) {
	const euro = "Fines of “€2m” — said the report’s author."
	const zh = "中国驻英国大使馆发言人表示，有关指控纯属捏造。"
	const ja = "英国で中国のためにスパイ活動をしたとして起訴された。"
	const ko = "영국 검찰은 간첩 사건의 재판을 중단했다."
	const tw = "英國檢方撤銷兩名男子的間諜案。"
	const pl = "Służby zatrzymały podejrzanego o szpiegostwo."
	page := func(meta, text string) string {
		return "<html><head>" + meta + "<title>t</title></head><body><p>" + text + "</p></body></html>"
	}
	tests := []struct {
		name        string
		body        []byte
		contentType string
		wantText    string // substring of the decoded text
		wantEnc     string
	}{
		{"meta charset windows-1252", encode(t, charmap.Windows1252, page(`<meta charset="windows-1252">`, euro)), "", euro, "windows-1252"},
		{"http-equiv iso-8859-1 means windows-1252", encode(t, charmap.Windows1252, page(`<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">`, euro)), "", euro, "windows-1252"},
		{"header wins over meta", encode(t, charmap.Windows1252, page(`<meta charset="utf-8">`, euro)), "text/html; charset=windows-1252", euro, "windows-1252"},
		{"gb2312 label", encode(t, simplifiedchinese.GBK, page(`<meta charset="gb2312">`, zh)), "", zh, "gbk"},
		{"gb18030 header", encode(t, simplifiedchinese.GB18030, page("", zh)), "text/html; charset=GB18030", zh, "gb18030"},
		{"big5", encode(t, traditionalchinese.Big5, page(`<meta charset="big5">`, tw)), "", tw, "big5"},
		{"shift_jis", encode(t, japanese.ShiftJIS, page(`<meta charset="Shift_JIS">`, ja)), "", ja, "shift_jis"},
		{"euc-jp", encode(t, japanese.EUCJP, page(`<meta charset="euc-jp">`, ja)), "", ja, "euc-jp"},
		{"euc-kr", encode(t, korean.EUCKR, page(`<meta charset="euc-kr">`, ko)), "", ko, "euc-kr"},
		{"iso-8859-2", encode(t, charmap.ISO8859_2, page(`<meta charset="iso-8859-2">`, pl)), "", pl, "iso-8859-2"},
		{"utf-8 bom beats header", append([]byte("\xef\xbb\xbf"), page("", euro)...), "text/html; charset=windows-1252", euro, "utf-8"},
		{"utf-16le bom", encode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), page("", euro)), "", euro, "utf-16le"},
		{"undeclared utf-8", []byte(page("", zh)), "", zh, "utf-8"},
		{"meta says utf-16 means utf-8", []byte(page(`<meta charset="utf-16">`, euro)), "", euro, "utf-8"},
		{"unknown label but valid utf-8", []byte(page(`<meta charset="x-no-such">`, euro)), "", euro, "utf-8"},
		{"meta in a comment is ignored", encode(t, charmap.Windows1252, page(`<!-- <meta charset="utf-8"> --><meta charset="windows-1252">`, euro)), "", euro, "windows-1252"},
		{"meta after 1024 bytes", encode(t, charmap.Windows1252, "<html><head><!--"+strings.Repeat("x", 1500)+`--><meta charset="windows-1252"></head><body>`+euro), "", euro, "windows-1252"},
		{"utf-8 body declaring gb2312 is utf-8", []byte(page(`<meta charset="gb2312">`, zh)), "", zh, "utf-8"},
		{"utf-8 body served as iso-8859-1 is utf-8", []byte(page("", euro)), "text/html; charset=ISO-8859-1", euro, "utf-8"},
		{"ascii body keeps its declared iso-2022-jp", encode(t, japanese.ISO2022JP, page(`<meta charset="iso-2022-jp">`, ja)), "", ja, "iso-2022-jp"},
		{"undeclared gbk is sniffed", encode(t, simplifiedchinese.GBK, page("", strings.Repeat(zh, 20))), "", zh, "gb18030"},
		{"undeclared latin-1 falls back to windows-1252", encode(t, charmap.Windows1252, page("", "Le café de l’été, déjà prêt.")), "", "café", "windows-1252"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, enc, err := Decode(tt.body, tt.contentType)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if enc != tt.wantEnc {
				t.Errorf("encoding = %q, want %q", enc, tt.wantEnc)
			}
			if !strings.Contains(got, tt.wantText) {
				t.Errorf("decoded text %q does not contain %q", got, tt.wantText)
			}
			if strings.HasPrefix(got, "\ufeff") {
				t.Errorf("decoded text keeps the byte-order mark")
			}
		})
	}
}

func TestDecodeUnknownCharset(t *testing.T) {
	body := []byte("<meta charset=\"x-no-such\"><p>caf\xe9</p>")
	if _, _, err := Decode(body, ""); !errors.Is(err, ErrUnknownCharset) {
		t.Errorf("err = %v, want ErrUnknownCharset", err)
	}
}
