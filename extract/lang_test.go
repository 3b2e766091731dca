package extract

import "testing"

func TestLanguage(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"english", "The prosecution was dropped after the government declined to say that China was a threat to national security.", "en"},
		{"french", "Le gouvernement a refusé de dire que la Chine était une menace pour la sécurité nationale, selon les procureurs.", "fr"},
		{"german", "Die Regierung wollte nicht sagen, dass China eine Bedrohung für die nationale Sicherheit ist, und das Verfahren wurde eingestellt.", "de"},
		{"spanish", "El gobierno se negó a decir que China era una amenaza para la seguridad nacional, según los fiscales del caso.", "es"},
		{"italian", "Il governo non ha voluto dire che la Cina è una minaccia per la sicurezza nazionale, secondo i procuratori del caso.", "it"},
		{"portuguese", "O governo não quis dizer que a China era uma ameaça para a segurança nacional, segundo os procuradores do caso.", "pt"},
		{"dutch", "De regering wilde niet zeggen dat China een bedreiging is voor de nationale veiligheid, en de zaak werd daarom gestaakt.", "nl"},
		{"chinese", "中国驻英国大使馆发言人表示，有关指控纯属捏造。", "zh"},
		{"japanese", "英国で中国のためにスパイ活動をしたとして起訴された。", "ja"},
		{"korean", "영국 검찰은 간첩 사건의 재판을 중단했다.", "ko"},
		{"russian", "Британская прокуратура прекратила дело о шпионаже в пользу Китая.", "ru"},
		{"ukrainian", "Британська прокуратура припинила справу про шпигунство на користь Китаю, і це викликало обурення.", "uk"},
		{"arabic", "أسقطت النيابة البريطانية قضية التجسس لصالح الصين.", "ar"},
		{"greek", "Η βρετανική εισαγγελία απέσυρε την υπόθεση κατασκοπείας.", "el"},
		{"english with a chinese name", "The embassy spokesperson, quoted as saying 纯属捏造, rejected the claims made by the government on Tuesday evening in London.", "en"},
		{"chinese body with an english summary", "问：有关国家检方日前决定撤销对两名本国公民的指控。中方对此有何评论？答：所谓中国从事间谍活动的说法纯属捏造，是出于政治目的的恶意诽谤。中方从不干涉别国内政，也无意干涉。我们敦促有关方面停止散布虚假信息。 English summary: The spokesperson called the allegations a fabrication and urged an end to false claims.", "zh"},
		{"english body quoting a chinese sentence", "The embassy said in a statement on Tuesday that the accusations were false and politically motivated, and it urged the government to stop spreading disinformation about China and its relations with Britain. The statement read: 中方从不干涉别国内政。", "en"},
		{"russian with latin names", "Компания Gazprom Neft и банк VTB Capital объявили о сделке, которая должна завершиться до конца года, сообщили в пресс-службе.", "ru"},
		{"too short", "China spy", ""},
		{"empty", "", ""},
		{"numbers only", "2025 10 15 12:00 1911 2023", ""},
		{"names only", "Christopher Cash Christopher Berry Matthew Collins", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Language(tt.text); got != tt.want {
				t.Errorf("Language(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}
