package synth

// Names the generator mixes into its text. People are drawn as first name +
// surname from these lists; none refers to a real person.
var (
	firstNames = []string{"Alice", "Bernard", "Clara", "Dmitri", "Elena", "Farid", "Grace", "Hannah", "Igor",
		"Julia", "Kenji", "Laura", "Marcus", "Nadia", "Oliver", "Priya", "Quentin", "Rosa", "Samuel", "Tara",
		"Umar", "Vera", "William", "Xia", "Yusuf", "Zoe", "Anton", "Beatrice", "Callum", "Daria", "Edwin",
		"Fiona", "Gareth", "Helena", "Isaac", "Jonas", "Katya", "Liam", "Miriam", "Niall", "Olga", "Pavel",
		"Rachel", "Stefan", "Thomas", "Ursula", "Viktor", "Wendy", "Yara", "Zhen", "Arthur", "Bridget",
		"Conrad", "Delia", "Ewan", "Freya", "Gideon", "Imogen", "Jasper", "Leon"}
	surnames = []string{"Ashford", "Blackwood", "Carver", "Dunmore", "Ellison", "Fairbank", "Garrick",
		"Holloway", "Ingram", "Jessop", "Kellner", "Lindqvist", "Marlowe", "Norcross", "Okafor", "Pembridge",
		"Quayle", "Radford", "Sokolov", "Thorne", "Underhill", "Varga", "Whitlock", "Yardley", "Zielinski",
		"Abbott", "Brennan", "Castellano", "Delacroix", "Eriksen", "Fenwick", "Grimaldi", "Hartmann", "Iqbal",
		"Jankowski", "Kovacs", "Larkin", "Moreau", "Nakamura", "Oyelaran", "Petrov", "Rowntree", "Salazar",
		"Tanaka", "Vance", "Wexford", "Achebe", "Bellamy", "Chen", "Dubois", "Fischer", "Haddad", "Kaur",
		"Lindgren", "Mendez", "Novak", "Ortega", "Quinlan", "Rahman", "Strand"}
	organisations = []string{"Ministry of Defence", "Home Office", "Foreign Office", "Crown Prosecution Service",
		"Metropolitan Police", "Counter Terrorism Policing", "Security Service", "Secret Intelligence Service",
		"GCHQ", "National Crime Agency", "Department of Justice", "Federal Bureau of Investigation",
		"State Department", "European Commission", "European Parliament", "NATO", "United Nations",
		"Interpol", "Europol", "Ministry of State Security", "Ministry of Foreign Affairs", "Foreign Ministry",
		"Intelligence and Security Committee", "Cabinet Office", "Treasury", "Supreme Court", "High Court",
		"Old Bailey", "Westminster Magistrates Court", "Conservative Party", "Labour Party", "Liberal Democrats",
		"Reform Party", "Green Party", "Defence Select Committee", "Foreign Affairs Committee",
		"Harbourline Systems", "Northgate Dynamics", "Corvid Analytics", "Meridian Telecom", "Sterling Aerospace",
		"Bluewater Shipping", "Ironbridge Consulting", "Kestrel Semiconductors", "Atlas Research Institute",
		"Redfern University", "Caldwell Institute", "Open Society Forum", "Press Association", "Reuters",
		"Associated Press", "Agence France-Presse", "Federal Prosecutor", "Bundesamt fur Verfassungsschutz",
		"Australian Security Intelligence Organisation", "Canadian Security Intelligence Service",
		"Royal Navy", "Royal Air Force", "Border Force", "Electoral Commission"}
	countries = []string{"United Kingdom", "Britain", "China", "Russia", "United States", "France", "Germany",
		"Italy", "Spain", "Poland", "Ukraine", "Belarus", "Iran", "Israel", "Turkey", "India", "Pakistan",
		"Japan", "South Korea", "North Korea", "Taiwan", "Hong Kong", "Australia", "Canada", "New Zealand",
		"Netherlands", "Belgium", "Sweden", "Norway", "Finland", "Denmark", "Estonia", "Latvia", "Lithuania",
		"Czech Republic", "Hungary", "Austria", "Switzerland", "Ireland", "Greece", "Bulgaria", "Romania",
		"Serbia", "Georgia", "Armenia", "Azerbaijan", "Kazakhstan", "Saudi Arabia", "Egypt", "Qatar",
		"Singapore", "Vietnam"}
	// storyKeywords are the words stories are built around; each story takes a few.
	storyKeywords = []string{"espionage", "spying", "recruitment", "surveillance", "sabotage", "leak",
		"hacking", "smuggling", "bribery", "interference", "extradition", "sanctions", "defector", "informant",
		"wiretap", "blackmail", "infiltration", "disinformation", "drone", "submarine", "satellite",
		"semiconductor", "pipeline", "cable", "election", "embassy", "consulate", "headhunter", "linkedin",
		"parliament", "researcher", "dissident", "counterintelligence", "classified", "cyberattack"}
	// sourceNames are the outlets; the first few are official publishers.
	officialSources = []string{"gov-press", "cps-news", "doj-press", "mfa-statements", "security-service-news"}
	outletPrefixes  = []string{"daily", "evening", "morning", "national", "city", "northern", "southern",
		"eastern", "western", "metro", "capital", "county", "global", "weekly", "coastal"}
	outletSuffixes = []string{"ledger", "herald", "courier", "gazette", "observer", "chronicle", "post",
		"tribune", "record", "standard", "dispatch", "monitor", "times", "sentinel", "wire"}
	sourceTags = []string{"uk", "us", "eu", "politics", "security", "courts", "world", "business", "tech",
		"defence"}
)
