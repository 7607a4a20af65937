/** Given names and family names for the demo's people, by country. Plain ASCII: they become e-mails. */
export const kenyan = {
  given: [
    'Wanjiku', 'Achieng', 'Njeri', 'Akinyi', 'Wambui', 'Atieno', 'Nyambura', 'Chebet', 'Jepkosgei', 'Mwende',
    'Kanini', 'Nafula', 'Zawadi', 'Halima', 'Amina', 'Faith', 'Grace', 'Mercy', 'Esther', 'Wairimu',
    'Kamau', 'Otieno', 'Mwangi', 'Odhiambo', 'Kiprop', 'Kipchoge', 'Mutua', 'Omondi', 'Njoroge', 'Wafula',
    'Baraka', 'Juma', 'Hassan', 'Kibet', 'Onyango', 'Mugo', 'Ochieng', 'Kariuki', 'Musyoka', 'Barasa',
  ],
  family: [
    'Kamau', 'Otieno', 'Mwangi', 'Odhiambo', 'Kiprop', 'Wanjala', 'Mutua', 'Omondi', 'Njoroge', 'Wafula',
    'Kariuki', 'Ochieng', 'Chege', 'Kiplagat', 'Rotich', 'Korir', 'Nyaga', 'Muthoni', 'Owino', 'Ndungu',
    'Gitau', 'Macharia', 'Langat', 'Cheruiyot', 'Mbugua', 'Okoth', 'Waweru', 'Kimani', 'Nzioka', 'Abdi',
  ],
};

export const bangladeshi = {
  given: [
    'Rahim', 'Karim', 'Tanvir', 'Arif', 'Sabbir', 'Imran', 'Mahmud', 'Rafiq', 'Shakil', 'Nayeem',
    'Fahim', 'Jahid', 'Sohel', 'Mizan', 'Rashed', 'Farhana', 'Nusrat', 'Sharmin', 'Taslima', 'Ayesha',
    'Sumaiya', 'Rumana', 'Nasrin', 'Fatema', 'Shirin', 'Moushumi', 'Tahmina', 'Sadia', 'Jannat', 'Rokeya',
  ],
  family: [
    'Rahman', 'Hossain', 'Islam', 'Ahmed', 'Chowdhury', 'Uddin', 'Akter', 'Begum', 'Khan', 'Sarkar',
    'Talukder', 'Mia', 'Bhuiyan', 'Haque', 'Kabir', 'Siddique', 'Alam', 'Sultana', 'Karim', 'Das',
  ],
};

export type NamePool = typeof kenyan;
