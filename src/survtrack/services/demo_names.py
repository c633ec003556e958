"""Name, place and clinician lists the demo generator draws from (synthetic, not real people)."""

FAMILY_NAMES = (
    "Abara Adeyemi Agarwal Ahmed Alvarez Andersen Araujo Baker Banerjee Barros Becker Bianchi "
    "Bjork Brown Campbell Carvalho Castillo Chen Cho Clarke Costa Cruz Dahl Das Davies Dubois "
    "Duarte Edwards Eriksen Evans Fischer Fitzgerald Fernandes Garcia Ghosh Gomez Gonzalez Gray "
    "Greene Gupta Haddad Hansen Hartmann Hernandez Hill Hoffmann Hughes Ibrahim Ito Jackson "
    "Jansen Jensen Johnson Jones Kaur Kelly Khan Kim Klein Kowalski Kumar Larsen Laurent Lee "
    "Lewis Li Lim Lopez Lund Martin Martinez Mehta Meyer Mendes Molina Moreau Morris Murphy "
    "Nakamura Nguyen Nielsen Novak Nowak Obi Okafor Oliveira Olsen Ortiz Osei Patel Pereira "
    "Perez Petrov Phillips Popescu Quinn Ramirez Rao Reyes Ribeiro Richter Rivera Roberts "
    "Robinson Rossi Russo Saito Sanchez Santos Schmidt Schneider Shah Silva Singh Smith Sokolov "
    "Sorensen Suzuki Takahashi Tanaka Taylor Thomas Thompson Torres Tran Turner Varga Vasquez "
    "Vogel Wagner Walker Wang Watanabe Weber White Williams Wilson Wong Wright Yamamoto Yang "
    "Young Zhang Zhou Zimmermann"
).split()

GIVEN_NAMES_FEMALE = (
    "Aisha Alice Amara Ana Anna Beatriz Camila Chen Chloe Clara Diana Elena Emily Emma Eva Fatima "
    "Grace Hana Ines Ingrid Isabel Julia Karin Laila Laura Leila Lucia Maria Marta Maya Mei Mia "
    "Nadia Naomi Nora Olivia Priya Rosa Ruth Sara Sofia Sun Tamar Valentina Yara Yuki Zara Zoe"
).split()

GIVEN_NAMES_MALE = (
    "Adam Ahmed Alejandro Ali Andre Arjun Ben Carlos Daniel David Diego Emeka Erik Felix Hassan "
    "Hiro Ivan James Jan Javier Jin John Jonas Jose Kofi Lars Leo Liam Lucas Luca Marco Mateo "
    "Mohammed Noah Omar Oscar Paul Pedro Rahul Ravi Samuel Sven Thomas Tomas Victor Wei Yusuf"
).split()

PHYSICIANS = (
    "Dr. Amara Okafor",
    "Dr. Henrik Larsen",
    "Dr. Priya Raman",
    "Dr. Sofia Moretti",
    "Dr. Daniel Cohen",
    "Dr. Mei Tanaka",
    "Dr. Lucas Fernandes",
    "Dr. Grace O'Neill",
)

LANGUAGES = ("en", "en", "en", "en", "es", "fr", "de", "pt", "zh", "ar")
