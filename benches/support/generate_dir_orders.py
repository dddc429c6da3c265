#!/usr/bin/env python3
"""Folders for a run at scale (docs/performance.md, "Runs through folders"):
N CCV orders made from the example's three kinds (every order paid, every
third customer new, each e-mail address on two orders) and a copy of the
example eAccounting folder.

    python3 benches/support/generate_dir_orders.py N OUT
"""
import json, sys, copy, shutil, os
n=int(sys.argv[1]); out=sys.argv[2]
ex=os.path.join(os.path.dirname(__file__), '..', '..', 'mappings', 'ccv-salespos--eaccounting', 'example')
orders=json.load(open(f'{ex}/ccv-salespos/orders.json'))
tpl=[o for o in orders if o['id'] in (483920,483921,483923)]
res=[]
for i in range(n):
    o=copy.deepcopy(tpl[i%3]); o['id']=600000+i; o['ordernumber']=20000+i; o['ordernumber_full']=f'KAS-{20000+i}'; o['paid']=True
    if i%3!=0: o['customer']['email']=f'customer{i//2}@example.nl'
    res.append(o)
shutil.rmtree(out, ignore_errors=True)
os.makedirs(f'{out}/ccv-salespos'); shutil.copytree(f'{ex}/eaccounting', f'{out}/eaccounting')
json.dump(res, open(f'{out}/ccv-salespos/orders.json','w'))
