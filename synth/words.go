package synth

// wordList is the generator's vocabulary: a few thousand ordinary English
// words, roughly from the most to the least frequent, so a Zipf draw over the
// list's ranks reads like English word frequencies. Written for this package.
const wordList = `
the of and to a in that is was he for it with as his on be at by had not are but from or have an they which
one you were her all she there would their we him been has when who will more no if out so said what up its
about into than them can only other new some could time these two may then do first any my now such like our
over man me even most made after also did many before must through back years where much your way well down
should because each just those people how too little state good very make world still own see men work long
get here between both life being under never day same another know while last might us great old year off come
since against go came right used take three states himself few house use during without again place around
however home small found thought went say part once general high upon school every does got united left number
course war until always away something fact though water less public put think almost hand enough far took
head yet government system better set told nothing night end why called eyes find going look asked later knew
point next city business give group toward young let room president side social given present several order
national second possible rather per face among form important often things looked early white case john become
large big need four within felt along children saw best church ever least power development light thing seemed
family interest want members mind country area others done turned although open god service certain kind
problem began different door thus help sense means whole matter perhaps itself york times law human line above
name example action company hands local show whether five history gave today either act feet across taken past
quite anything seen having death week experience body word half really field am car words already themselves
information tell together college shall money period held keep sure probably free seems real behind cannot
miss political air question making office brought whose special major heard problems ago became federal moment
study available known result street economic boy position reason change south board individual job areas
society west close turn love community true court force full seem front nature feel party policy private age
everything voice woman process window market control nation low ground research further program girl issue
minutes moved situation sound morning military cost stand strong six report staff level american evidence
spoke clear material meeting forces concerned decided leader plan effect usually taking subject value member
minister million figure role officials hours charge agency account security police trial prosecution defence
secret secrets intelligence services official statement foreign affairs embassy spokesman spokeswoman
spokesperson parliament parliamentary committee inquiry investigation investigators arrest arrested arrests
charged charges accused suspect suspects espionage spy spies spying agent agents officer officers network
networks allegation allegations alleged alleging claim claims claimed denied denial deny rejected reject
response responded responding warning warned warns advisory threat threats acts cases prosecutor prosecutors
prosecuted prosecuting judge judges jury verdict sentence sentenced sentencing hearing hearings appeal appeals
lawyer lawyers barrister solicitor defendant defendants guilty innocent trials courts magistrates crown prison
jailed released bail custody detained detention interview interviewed questioned questioning witness witnesses
testimony documents document classified leaked leak leaks sensitive data records files emails messages phone
phones computer computers hacking hackers hacked cyber attack attacks campaign operation operations recruited
recruit recruiting recruitment approach approached approaches contact contacts contacted online profile
profiles media platform platforms companies firm firms businesses technology university universities academic
academics student students scientist scientists engineer engineers defense army navy base bases weapons weapon
missile missiles nuclear diplomat diplomats diplomatic ambassador ambassadors consulate ministers ministry
secretary cabinet prime opposition parties conservative labour liberal democrat democrats republican
republicans senator senators congress congressional election elections vote votes voters influence
interference meddling lobbying donation donations funding funds payment payments paid cash bank banks
financial sanctions sanction sanctioned export exports trade deal deals agreement agreements treaty talks
summit relations relationship tension tensions crisis dispute disputes conflict pressure criticism critics
criticised criticized condemned condemn condemns welcomed welcome announced announcement announce announces
published publish release statements briefing briefed brief reports reported reporting reporter reporters
journalist journalists newspaper broadcaster news story stories headline headlines source sources says saying
according confirmed confirm confirms revealed reveal reveals disclosed disclose disclosure decision decisions
decide dropped drop collapsed collapse abandoned discontinued withdrawn withdraw proceed proceedings prosecute
insufficient sufficient test threshold enemy hostile actor actors regime authorities authority commissioner
counterterrorism counter terrorism terrorist terror unit units command director deputy adviser advisers
advisor chief former current senior junior serving retired veteran career employee employees worker workers
researcher researchers assistant aide aides chairman chair chairwoman groups organisation organisations
organization association council councils bodies institute centre center foundation tank tanks department
departments agencies bureau commission commissions review reviews audit session sessions meetings visit visits
trip trips travel travelled traveled flight border borders passport visa visas residence resident residents
citizen citizens nationals communities diaspora overseas abroad domestic internal external international
global regional central western eastern northern southern european asian pacific atlantic gulf middle east
north island islands coast cities capital town region regions province provinces territory territories
district ability able absence absolute absorb abuse academy accept acceptable access accident accompany
accomplish accurate achieve achievement acid acknowledge acquire active activist activity actual adapt add
addition additional address adequate adjust administration admire admit adopt adult advance advantage
adventure advertising advice advise affair affect afford afraid afternoon agenda aggressive agree ahead aid
aim aircraft airline airport alarm album alcohol alive alliance allow ally alone alter alternative amazing
amount analysis analyst ancient anger angle angry animal anniversary annual answer anxiety anyway apart
apartment apparent apparently appear appearance apple application apply appoint appointment appreciate
appropriate approval approve argue argument arise arm armed arrange arrangement arrival arrive art article
artist aside ask aspect assault assess assessment asset assign assume assumption assure athlete atmosphere
attach attempt attend attention attitude attorney attract attractive audience author automatic average avoid
award aware awareness bad bag balance ball ban band bar barely barrier basic basis basket battle beach bear
beat beautiful beauty bed beer beginning behavior belief believe bell belong below belt bench bend beneath
benefit beside beyond bill billion bind bird birth bit bite bitter black blade blame blanket blind block blood
blow blue boat bomb bond bone book boost boot borrow boss bother bottle bottom bound boundary bowl box brain
branch brand brave bread break breakfast breath breathe brick bridge bright brilliant bring broad broken
brother brown budget build building bullet burden burn bus busy buy cabin cable calculate call calm camera
camp cancel cancer candidate capability capable capacity captain capture card care careful carefully carry
cast cat catch category cause ceiling celebrate celebration cell century ceremony chain challenge chamber
champion chance channel chapter character characteristic charity chart chase cheap check cheese chemical chest
chicken childhood choice choose circle circumstance cite civil civilian class classic classroom clean clearly
client climate climb clock closely clothes cloud club clue cluster coach coalition code coffee cognitive cold
colleague collect collection collective colonial color column combination combine comfort comfortable comment
commercial commit commitment common communicate communication compare comparison compete competition
competitive complain complaint complete completely complex complicated component compose concentrate
concentration concept concern conclude conclusion concrete condition conduct conference confidence confident
confront confusion connect connection consensus consequence consider considerable consideration consist
consistent constant constantly constitute constitutional construct construction consultant consume consumer
consumption contain container contemporary content contest context continue continued contract contrast
contribute contribution controversial controversy convention conversation convert conviction convince cook
cool cooperation cop cope core corn corner corporate correct correspondent cotton couch count counterpart
couple courage cousin cover coverage crack craft crash crazy cream create creation creative creature credit
crew crime criminal critical critic crop cross crowd crucial cry cultural culture cup curious currently
curriculum custom customer cut cycle dad daily damage dance danger dangerous dare dark darkness date daughter
dead deadline deadly dear debate debt decade decline deep deeply defeat defend define definitely definition
degree delay deliver delivery demand democracy democratic demonstrate demonstration depend dependent depending
depict depression depth derive describe description desert deserve design designer desire desk desperate
despite destroy destruction detail detailed detect determine develop device devote dialogue die diet differ
difference difficult difficulty dig digital dimension dining dinner direct direction directly dirt dirty
disability disagree disappear disaster discipline discourse discover discovery discrimination discuss
discussion disease dish dismiss disorder display distance distant distinct distinction distinguish distribute
distribution diverse diversity divide division divorce doctor dog dominant dominate double doubt draft drag
drama dramatic draw drawing dream dress drink drive driver drug dry due dust duty eager ear earn earnings
earth ease easily eat economics economist economy edge edition editor educate education educational educator
effective effectively efficiency efficient effort egg eight elderly elect electric electricity element
eliminate elite else elsewhere embrace emerge emergency emission emotion emotional emphasis emphasize employ
employer employment empty enable encounter encourage energy enforcement engage engine enhance enjoy enormous
ensure enter enterprise entertainment entire entirely entrance entry environment environmental episode equal
equally equipment era error escape especially essay essential essentially establish establishment estate
estimate ethics ethnic evaluate evaluation evening event eventually everybody everyday everyone everywhere
evil evolution evolve exact exactly exam examination examine exceed excellent except exception exchange
exciting executive exercise exhibit exhibition exist existence existing expand expansion expect expectation
expense expensive experiment expert explain explanation explode explore explosion expose exposure express
expression extend extension extensive extent extra extraordinary extreme extremely fabric facility factor
factory faculty fade fail failure fair fairly faith fall false familiar famous fan fantasy farm farmer fashion
fast fat fate father fault favor favorite fear feature fee feed feeling fellow female fence fewer fiber
fiction fifteen fifth fifty fight fighter fighting file fill film final finally finance finding fine finger
finish fire fish fishing fit fitness fix flag flame flat flavor flee flesh float floor flow flower fly focus
folk follow following food foot football forest forever forget forgive formal format formation formula forth
fortune forward founder frame framework freedom frequency frequent frequently fresh friend friendly friendship
fruit frustration fuel fully fun function fund fundamental funeral funny furniture furthermore future gain
galaxy gallery game gang gap garage garden garlic gas gate gather gaze gear gender gene generate generation
genetic gentleman gently gesture ghost giant gift gifted girlfriend glad glance glass glove goal gold golden
golf governor grab grade gradually graduate grain grand grandfather grandmother grant grass grave gray
greatest green grocery grow growing growth guarantee guard guess guest guide guideline guilt gun guy habit
habitat hair hall handle hang happen happy hard hardly hat hate headquarters health healthy hear heart heat
heaven heavily heavy heel height helicopter hell hello helpful hero herself hey hide highlight highly highway
hill hip hire historian historic historical hit hold hole holiday holy homeless honest honey honor hope
horizon horror horse hospital host hostage hot hotel hour household housing huge humor hundred hungry hunter
hunting hurt husband hypothesis ice idea ideal identification identify identity ignore ill illegal illness
illustrate image imagination imagine immediate immediately immigrant immigration impact implement implication
imply impose impossible impress impression impressive improve improvement incentive incident include including
income incorporate increase increased increasing increasingly incredible indeed independence independent index
indicate indication indigenous industrial industry infant infection inflation initial initially initiative
injury inner input inside insight insist inspire install instance instead institution institutional
instruction instructor instrument insurance intellectual intend intense intensity intention interaction
interesting internet interpret interpretation intervention introduce introduction invasion invest investigate
investment investor invite involve involved involvement iron isolate item jacket jail jet join joint joke
journal journey joy judgment juice jump justice justify key kick kid kill killer killing king kiss kitchen
knee knife knock knowledge lab label labor laboratory lack lady lake land landscape language lap largely laugh
launch lawn lawsuit layer lead leadership leading leaf league lean learn learning leather leave lecture legacy
legal legend legislation legitimate lemon length lesson letter library license lie lifestyle lifetime lift
likely limit limitation limited link lip list listen literally literary literature living load loan locate
location lock loose lose loss lost lot loud lovely lover lower luck lucky lunch lung machine mad magazine mail
main mainly maintain maintenance majority maker makeup male mall manage management manager manner manufacturer
manufacturing map margin mark marketing marriage married marry mask mass massive master match mate math
maximum mayor meal meaning meanwhile measure measurement meat mechanism medical medication medicine medium
meet memory mental mention menu mere merely mess message metal meter method midnight milk mine minor minority
miracle mirror mission mistake mix mixture mode model moderate modern modest mom monitor month mood moon moral
moreover mostly mother motion motivation motor mount mountain mouse mouth movement movie multiple murder
muscle museum music musical musician mutual myself mystery myth naked narrative narrow nasty native natural
naturally nearby nearly necessarily necessary neck negative negotiate negotiation neighbor neighborhood
neither nerve nervous nest net neutral nevertheless newly nice nine nobody nod noise nomination none
nonetheless nor normal normally nose note notice notion novel nowhere nurse nut object objective obligation
observation observe observer obtain obvious obviously occasion occasionally occupation occupy occur ocean odd
odds offense offensive offer oil okay olympic opening operate operating operator opinion opponent opportunity
oppose opposite option orange ordinary organic organize orientation origin original originally otherwise ought
ourselves outcome outside oven overall overcome overlook owe owner pace pack package page pain painful paint
painter painting pair pale palm pan panel pant paper parent parking partly partner partnership pass passage
passenger passion pastor path patient pattern pause pay peace peak peer penalty pension pepper perceive
percentage perception perfect perfectly perform performance permanent permission permit person personal
personality personally personnel perspective persuade phase phenomenon philosophy photo photograph
photographer phrase physical physically physician piano pick picture pie piece pile pilot pine pink pipe pitch
plane planet planning plant plastic plate play player plea pleasure plenty plot plus pocket poem poet poetry
poll pollution pool poor pop popular population porch port portion portrait pose positive possess possibility
possibly post pot potato potential potentially pound pour poverty powder powerful practical practice pray
prayer precisely predict prefer preference pregnancy pregnant preparation prepare prescription presence
presentation preserve press presumably pretend pretty prevent previous previously price pride priest primarily
primary principal principle print prior priority prisoner privacy prize pro probe procedure produce producer
product production profession professional professor profit progress project prominent promise promote prompt
proof proper properly property proportion proposal propose proposed prospect protect protection protein
protest proud prove provide provider provision psychological psychologist psychology pull punishment purchase
pure purpose pursue push qualify quality quarter quarterback quickly quiet quietly quit quote race racial
radical radio rail rain raise range rank rapid rapidly rare rarely rate ratio raw reach react reaction read
reader reading ready reality realize reasonable recall receive recent recently recipe recognition recognize
recommend recommendation record recording recover recovery reduce reduction refer reference reflect reflection
reform refugee refuse regard regarding regardless register regular regularly regulate regulation reinforce
relate relation relative relatively relax relevant relief religion religious rely remain remaining remarkable
remember remind remote remove repeat repeatedly replace reply represent representation representative request
require requirement reservation resist resistance resolution resolve resort resource respect respond
responsibility responsible rest restaurant restore restriction retain retire retirement return revenue
revolution rhythm rice rich rid ride rifle ring rise risk river road rock roll roof root rope rose rough
roughly round route routine row rub rule run running rural rush sacred sad safe safety sake salad salary sale
salt sample sand satellite satisfaction satisfy sauce save saving scale scandal scared scenario scene schedule
scheme scholar scholarship science scientific scope score scream screen script sea search season seat
secondary section sector secure seed seek segment seize select selection self sell senate send separate
sequence series serious seriously serve settle settlement seven severe shade shadow shake shape share sharp
sheet shelf shell shelter shift shine ship shirt shock shoe shoot shooting shop shopping shore short shortly
shot shoulder shout shrug shut sick sight sign signal significance significant significantly silence silent
silver similar similarly simple simply sin sing singer single sink sir sister sit site size ski skill skin sky
slave sleep slice slide slight slightly slip slow slowly smart smell smile smoke smooth snap snow soccer soft
software soil solar soldier solid solution solve somebody somehow someone sometimes somewhat somewhere son
song soon sophisticated sorry sort soul soup space spanish speak speaker specialist species specific
specifically speech speed spend spending spin spirit spiritual split sport spot spread spring square squeeze
stability stable stadium stage stair stake standard standing star stare start starting station status stay
steady steal steel step stick stir stock stomach stone stop storage store storm straight strange stranger
strategic strategy stream strength strengthen stress stretch strike string strip stroke structure struggle
studio stuff stupid style subsequent substance substantial succeed success successful successfully sudden
suddenly sue suffer sugar suggest suggestion suicide suit summer sun super supply support supporter suppose
supposed supreme surely surface surgery surprise surprised surprising surprisingly surround survey survival
survive survivor sustain swear sweep sweet swim swing switch symbol symptom table tactic tail tale talent talk
tall tap tape target task taste tax taxpayer tea teach teacher teaching team tear teaspoon technical technique
teen teenager telephone telescope television temperature temporary tend tendency tennis tent term terms
terrible testify testing text thank thanks theater theme theory therapy thick thin thinking thirty thousand
thread threaten throat throw ticket tie tight till tiny tip tire tired tissue title tobacco toe tomato
tomorrow tone tongue tonight tool tooth top topic toss total totally touch tough tour tourist tournament tower
toy trace track tradition traditional traffic tragedy trail train training transfer transform transformation
transition translate transportation trap treat treatment tree tremendous trend tribe trick troop trouble truck
truly trust truth try tube tunnel twelve twenty twice twin type typical typically ugly ultimate ultimately
unable uncle undergo understanding unfortunately uniform union unique universe unknown unless unlike unlikely
unusual upper urban urge useful user usual utility vacation valley valuable variable variation variety various
vary vast vegetable vehicle venture version versus vessel victim victory video view viewer village violate
violation violence violent virtually virtue virus visible vision visitor visual vital volume volunteer
vulnerable wage wait wake walk wall wander warm warn wash waste watch wave weak wealth wealthy wear weather
wedding weekend weekly weigh weight welfare wet whatever wheel whenever whereas whisper wide widely widespread
wife wild willing win wind wine wing winner winter wipe wire wisdom wise wish wonder wonderful wood wooden
workshop worried worry worth wound wrap write writer writing wrong yard yeah yell yellow yesterday yield youth
zone
`
