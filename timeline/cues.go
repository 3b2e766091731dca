package timeline

import "strings"

// cueClass says how a reporting verb takes what was said.
type cueClass uint8

const (
	// cueSay: the content follows ("said that …", "said: …") or comes first
	// ("…, she said"; "…, said the minister").
	cueSay cueClass = 1 << iota
	// cueTell: a listener comes between the verb and the content ("told
	// reporters that …", "urged Congress to …"); it also works as cueSay.
	cueTell
	// cueThink: belief, intent or knowledge, reported with a clause after
	// the verb only ("believes that …", "expects the vote to …").
	cueThink
	// cueFind: what a poll, study, report or inquiry found or shows.
	cueFind
	// cueCall: naming in the speaker's words ("called the ruling a
	// disgrace", "described it as …", "called for …").
	cueCall
	// cueJudge: judging someone or something ("dismissed the reports",
	// "accused him of …"); what follows is the object, not what was said,
	// so it counts only when it quotes the speaker ("condemned the
	// “reckless” move").
	cueJudge
	// cueIntend: an intention, plan, wish or undertaking, with what is
	// intended as an infinitive ("wants to …", "plans to …", "vowed to
	// …", "agreed to …") or a clause ("hopes that …"). PolNeAR and PARC
	// count these as attributions: a reported position of the subject.
	cueIntend
)

// reportingVerbs are the verbs that report speech or thought, by class. The
// lists are ours, compiled from the classes of English communication verbs
// in Levin (1993), English Verb Classes and Alternations (§37: "say", "tell",
// "manner of speaking", "complain", "advise" verbs), the attribution cues
// described in the PARC and PolNeAR annotation guidelines (which count
// belief and finding verbs as attribution too), and the verbs news reports
// use to introduce statements. Each entry is a lemma with its inflected
// forms; irregular forms are written out.
var reportingVerbs = map[cueClass]string{
	cueSay: `say:says:said:saying add note state explain argue claim insist contend assert maintain declare announce
acknowledge concede confirm reply:replies:replied:replying respond answer remark
observe comment continue conclude recall stress emphasize emphasise suggest warn caution predict promise pledge
vow write:writes:wrote:writing:written tweet post report testify:testifies:testified:testifying allege complain
boast joke quip mention disclose reveal agree counter retort reiterate repeat indicate estimate propose
lament speculate muse shout yell scream whisper mutter exclaim proclaim reason recount hint affirm clarify:clarifies:clarified
protest object grumble brag:brags:bragged:bragging confess guarantee question demand urge recommend
explain acknowledge underline underscore counsel assure remind inform advise tell:tells:told:telling
signal:signals:signaled:signalled:signaling:signalling declare predict forecast vow threaten sing:sings:sang:singing
chant`,
	cueTell: `tell:tells:told:telling warn inform assure remind advise urge press caution notify instruct implore
beg:begs:begged:begging encourage`,
	// deny and admit report words only with a clause ("denied that …");
	// "denied the charges" is a plea. ask, wonder and question report a
	// question only with one ("asked whether …", "asked: “…”").
	cueThink: `deny:denies:denied:denying admit:admits:admitted:admitting ask wonder believe think:thinks:thought:thinking feel:feels:felt:feeling hope fear worry:worries:worried:worrying
expect know:knows:knew:knowing:known understand:understands:understood:understanding doubt suspect assume reckon
realize realise recognize recognise acknowledge decide`,
	cueFind: `find:finds:found:finding show:shows:showed:shown:showing suggest indicate estimate conclude reveal
project:projects:projected`,
	cueIntend: `want plan:plans:planned:planning intend hope aim seek:seeks:sought:seeking vow pledge promise threaten
agree decide offer propose wish strive:strives:strove:striving:striven expect vote`,
	cueCall: `call describe label:labels:labeled:labelled:labeling:labelling brand dub:dubs:dubbed:dubbing liken`,
	// With an object and no quotation, a judging verb reports a position
	// taken ("criticized the ruling", "endorsed Trump"): the judgement
	// verbs of Levin §33 and the verbs of support and opposition PolNeAR
	// annotates as attribution cues (set on its dev split).
	cueJudge: `dismiss accuse condemn praise criticize criticise blast slam:slams:slammed:slamming attack reject
denounce decry hail support endorse oppose favor favour prefer defend champion embrace welcome applaud commend
congratulate blame fault mock ridicule deride lambaste rebuke castigate chastise dispute challenge tout cite
reference echo highlight back rate:rates:rated charge`,
}

// verbParticles are the particles after which a verb reports what was said
// or its topic ("pointed out that …", "spoke about the shooting", "warned
// against hackers", "called for new tariffs"). Verbs listed in particleOnly
// are cues only with one ("talked about …", not "talked").
var verbParticles = map[string][]string{
	"call": {"for", "on", "out"}, "point": {"out", "to"}, "speak": {"about", "of", "on", "out"},
	"talk": {"about", "of"}, "complain": {"about", "of"}, "warn": {"against", "of", "about"},
	"argue": {"for", "against"}, "push": {"for"}, "press": {"for"}, "lobby": {"for", "against"},
	"advocate": {"for"}, "testify": {"about"}, "rail": {"against"}, "weigh": {"in"}, "lash": {"out"},
	"vote": {"for", "against"},
}

// particleOnly are the verbs of verbParticles that report speech only with
// a particle, and their class then. Set on the PolNeAR dev split, where
// "spoke of …", "talked about …" and "pointed to …" are attributions.
var particleOnly = map[string]cueClass{
	"point": cueSay, "speak:speaks:spoke:speaking:spoken": cueSay, "talk": cueSay, "push": cueIntend,
	"lobby": cueIntend, "rail": cueSay, "weigh": cueSay, "lash": cueSay,
}

// cueForm is one inflected form of a reporting verb.
type cueForm struct {
	class        cueClass
	lemma        string
	ing          bool // a participle that can hang off a clause (", saying …")
	needParticle bool // a cue only before one of its particles ("spoke about")
}

// buildCues expands reportingVerbs into a table from every inflected form
// (lower case) to its classes.
func buildCues() map[string]cueForm {
	out := map[string]cueForm{}
	for class, list := range reportingVerbs {
		for _, entry := range strings.Fields(list) {
			forms := strings.Split(entry, ":")
			lemma := forms[0]
			if len(forms) == 1 {
				forms = inflect(lemma)
			}
			for _, f := range forms {
				c := out[f]
				c.class |= class
				c.lemma = lemma
				c.ing = c.ing || strings.HasSuffix(f, "ing")
				out[f] = c
			}
		}
	}
	for entry, class := range particleOnly {
		forms := strings.Split(entry, ":")
		lemma := forms[0]
		if len(forms) == 1 {
			forms = inflect(lemma)
		}
		for _, f := range forms {
			if _, ok := out[f]; ok {
				continue
			}
			out[f] = cueForm{class: class, lemma: lemma, ing: strings.HasSuffix(f, "ing"), needParticle: true}
		}
	}
	return out
}

// particleAfter says whether w is one of the particles of verb lemma.
func particleAfter(lemma, w string) bool {
	for _, p := range verbParticles[lemma] {
		if p == w {
			return true
		}
	}
	return false
}

// inflect returns the regular forms of an English verb: base, -s, -ed, -ing.
func inflect(v string) []string {
	var s, ed, ing string
	switch {
	case strings.HasSuffix(v, "e"):
		s, ed, ing = v+"s", v+"d", v[:len(v)-1]+"ing"
	case strings.HasSuffix(v, "y") && !strings.ContainsRune("aeiou", rune(v[len(v)-2])):
		s, ed, ing = v[:len(v)-1]+"ies", v[:len(v)-1]+"ied", v+"ing"
	case strings.HasSuffix(v, "sh") || strings.HasSuffix(v, "ch") || strings.HasSuffix(v, "ss") || strings.HasSuffix(v, "x"):
		s, ed, ing = v+"es", v+"ed", v+"ing"
	default:
		s, ed, ing = v+"s", v+"ed", v+"ing"
	}
	return []string{v, s, ed, ing}
}
