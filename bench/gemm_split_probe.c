/* Which split edges keep a split OpenBLAS sgemm bit-identical to one call, per core (Threads.SplitPolicy).
   Build: gcc -O2 bench/gemm_split_probe.c -o /tmp/split_probe -lopenblas
   Run:   for c in Haswell SkylakeX; do OPENBLAS_CORETYPE=$c /tmp/split_probe; done
   Prints per shape and direction (rows / cols) whether splits at multiples of q gave the same bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <cblas.h>
/* split C (m x n) by columns at h, or by rows at h; compare with one call; both transB */
int test(int m,int n,int k,int h,int bycols,int tb){
float*a=malloc(4L*m*k),*b=malloc(4L*k*n),*c1=malloc(4L*m*n),*c3=malloc(4L*m*n);
srand(1);for(long i=0;i<(long)m*k;i++)a[i]=rand()/(float)RAND_MAX-0.5f;for(long i=0;i<(long)k*n;i++)b[i]=rand()/(float)RAND_MAX-0.5f;
int ldb=tb?k:n; CBLAS_TRANSPOSE T=tb?CblasTrans:CblasNoTrans;
cblas_sgemm(CblasRowMajor,CblasNoTrans,T,m,n,k,1,a,k,b,ldb,0,c1,n);
if(bycols){ cblas_sgemm(CblasRowMajor,CblasNoTrans,T,m,h,k,1,a,k,b,ldb,0,c3,n);
 cblas_sgemm(CblasRowMajor,CblasNoTrans,T,m,n-h,k,1,a,k,b+(tb?(long)h*ldb:h),ldb,0,c3+h,n);}
else { cblas_sgemm(CblasRowMajor,CblasNoTrans,T,h,n,k,1,a,k,b,ldb,0,c3,n);
 cblas_sgemm(CblasRowMajor,CblasNoTrans,T,m-h,n,k,1,a+(long)h*k,k,b,ldb,0,c3+(long)h*n,n);}
long d=0;for(long i=0;i<(long)m*n;i++)if(c1[i]!=c3[i])d++; free(a);free(b);free(c1);free(c3);return d>0;}
int main(){openblas_set_num_threads(1);
int shapes[][3]={{170,4096,576},{29,4096,576},{600,2000,576},{2048,576,960},{960,576,2048},{1000,70,900}};
int qs[]={16,24,32,48,64,96,192};
for(int s=0;s<6;s++){int m=shapes[s][0],n=shapes[s][1],k=shapes[s][2];
 for(int bc=0;bc<2;bc++){ int dim=bc?n:m; printf("%s m%d n%d k%d %s:",openblas_get_corename(),m,n,k,bc?"cols":"rows");
  for(int qi=0;qi<7;qi++){int q=qs[qi]; int bad=0,tried=0; for(int h=q;h<dim;h+=q*3){ if(tried++>6)break; for(int tb=0;tb<2;tb++) bad|=test(m,n,k,h,bc,tb);} printf(" q%d=%s",q,tried?(bad?"BAD":"ok"):"-");}
  printf("\n");}}}
